/** Values of `status.execution` in DDI feedback. */
export const EXECUTIONS = ['closed', 'proceeding', 'canceled', 'scheduled', 'rejected', 'resumed', 'downloaded', 'download'] as const;
export type Execution = (typeof EXECUTIONS)[number];

/** Values of `status.result.finished`. */
export const FINISHED = ['success', 'failure', 'none'] as const;
export type Finished = (typeof FINISHED)[number];

export interface FeedbackProgress {
  readonly cnt: number;
  readonly of?: number;
}

/** One feedback message, as built by the feedback builders (frozen, within the server's limits). */
export interface Feedback {
  readonly execution: Execution;
  readonly finished: Finished;
  readonly progress?: FeedbackProgress;
  /** Stable numeric status code (see docs/protocol.md), shown in hawkBit as "Device reported status code". */
  readonly code?: number;
  readonly details: readonly string[];
}

/** Confirmation feedback (confirmationBase/{id}/feedback). */
export interface ConfirmationFeedback {
  readonly confirmation: 'confirmed' | 'denied';
  readonly code?: number;
  readonly details: readonly string[];
}
