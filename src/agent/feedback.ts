import { buildFeedback, STATUS_CODES, type Feedback } from '../ddi/index.js';
import type { ActionType, Outcome, PhaseKind } from './state.js';

/**
 * What the agent tells hawkBit, as a description. This module is the one place that turns such a
 * description into DDI feedback (execution, finished, code, details); nothing else in the agent calls
 * buildFeedback or picks a feedback code (outcomes carry the code of their failure, see failures.ts).
 */
export type Note =
  | { readonly kind: 'downloadStarting'; readonly details: readonly string[] }
  | { readonly kind: 'downloadProgress'; readonly percent: number; readonly details: readonly string[] }
  | { readonly kind: 'downloaded'; readonly details: readonly string[] }
  | { readonly kind: 'waiting'; readonly reason: string; readonly gateRefused: boolean }
  | { readonly kind: 'installing'; readonly details: readonly string[] }
  | { readonly kind: 'installProgress'; readonly percent: number; readonly details: readonly string[] }
  | { readonly kind: 'installed'; readonly details: readonly string[] }
  | { readonly kind: 'final'; readonly type: ActionType; readonly outcome: Outcome }
  | { readonly kind: 'resumed'; readonly phase: PhaseKind }
  | { readonly kind: 'cancelAccepted'; readonly details: readonly string[] }
  | { readonly kind: 'cancelRefused'; readonly phase: PhaseKind };

/** The DDI feedback for a note. */
export function feedbackFor(note: Note): Feedback {
  switch (note.kind) {
    case 'downloadStarting':
      return buildFeedback('download', 'none', { details: note.details });
    case 'downloadProgress':
      return buildFeedback('download', 'none', { progress: { cnt: note.percent, of: 100 }, details: note.details });
    case 'downloaded':
      return buildFeedback('downloaded', 'success', { details: note.details });
    case 'waiting':
      return buildFeedback('scheduled', 'none', { ...(note.gateRefused ? { code: STATUS_CODES.GATE_REFUSED } : {}), details: [note.reason] });
    case 'installing':
      return buildFeedback('proceeding', 'none', { progress: { cnt: 0, of: 100 }, details: note.details });
    case 'installProgress':
      return buildFeedback('proceeding', 'none', { progress: { cnt: note.percent, of: 100 }, details: note.details });
    case 'installed':
      return buildFeedback('proceeding', 'none', { details: note.details });
    case 'final':
      return note.outcome.result === 'success'
        ? buildFeedback(note.type === 'downloadOnly' ? 'downloaded' : 'closed', 'success', { code: STATUS_CODES.SUCCESS, details: note.outcome.details })
        : buildFeedback('closed', 'failure', { code: note.outcome.code, details: note.outcome.details });
    case 'resumed':
      return buildFeedback('resumed', 'none', { details: [`resumed after a restart of the update service, in phase '${note.phase}'`] });
    case 'cancelAccepted':
      return buildFeedback('closed', 'success', { code: STATUS_CODES.CANCELED, details: note.details });
    case 'cancelRefused':
      return buildFeedback('rejected', 'none', { details: [`cannot cancel: the installation has already started (phase '${note.phase}')`] });
  }
}

/** The answer on confirmationBase: a denial carries its code. */
export function confirmationAnswer(decision: 'confirmed' | 'denied', details: string): { code: number | undefined; details: string[] } {
  return { code: decision === 'denied' ? STATUS_CODES.CONFIRMATION_DENIED : undefined, details: [details] };
}

/** An outcome decided without an error: the deployment cannot be carried out. */
export function unsupported(detail: string): Outcome {
  return { result: 'failure', code: STATUS_CODES.UNSUPPORTED_ARTIFACT, details: [detail] };
}

/** The outcome of an action whose state file was damaged. */
export function lostState(): Outcome {
  return { result: 'failure', code: STATUS_CODES.INTERNAL_ERROR, details: ['the update state of this action was lost (damaged state file); the update was interrupted'] };
}
