import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';
import { EXECUTIONS, FINISHED, type ConfirmationFeedback, type Execution, type Feedback, type FeedbackProgress, type Finished } from './feedback-types.js';

/** hawkBit stores each detail in pieces of at most this many characters, each counting as one message. */
export const DETAIL_PIECE_LENGTH = 512;
/** hawkBit refuses a feedback with more messages than this. */
export const MAX_DETAIL_MESSAGES = 50;

/** A feedback that cannot be built (a bug in the caller: bad progress or code). */
export class InvalidFeedbackError extends HawkbitRaucError {
  override readonly name = 'InvalidFeedbackError';
  readonly code = 'DDI_FEEDBACK_INVALID';
}

export const isInvalidFeedbackError = (value: unknown): value is InvalidFeedbackError => isErrorNamed(value, 'InvalidFeedbackError');

export interface FeedbackOptions {
  readonly progress?: FeedbackProgress;
  /** Stable numeric code (see status-codes.ts). */
  readonly code?: number;
  /** Free text; long entries are split, too many are truncated with a marker as the last message. */
  readonly details?: readonly string[] | string;
}

/** A frozen deployment or cancel feedback within the server's limits. */
export function buildFeedback(execution: Execution, finished: Finished, options: FeedbackOptions = {}): Feedback {
  if (!EXECUTIONS.includes(execution)) throw new InvalidFeedbackError(`unknown execution ${JSON.stringify(execution)}`);
  if (!FINISHED.includes(finished)) throw new InvalidFeedbackError(`unknown finished value ${JSON.stringify(finished)}`);
  const feedback: { -readonly [K in keyof Feedback]: Feedback[K] } = { execution, finished, details: limitDetails(options.details) };
  if (options.progress !== undefined) feedback.progress = checkProgress(options.progress);
  if (options.code !== undefined) feedback.code = checkCode(options.code);
  return Object.freeze(feedback);
}

/** A frozen confirmation feedback (confirmationBase/{id}/feedback). */
export function buildConfirmation(
  confirmation: 'confirmed' | 'denied',
  options: Pick<FeedbackOptions, 'code' | 'details'> = {},
): ConfirmationFeedback {
  if (confirmation !== 'confirmed' && confirmation !== 'denied') {
    throw new InvalidFeedbackError(`unknown confirmation ${JSON.stringify(confirmation)}`);
  }
  const feedback: { -readonly [K in keyof ConfirmationFeedback]: ConfirmationFeedback[K] } = { confirmation, details: limitDetails(options.details) };
  if (options.code !== undefined) feedback.code = checkCode(options.code);
  return Object.freeze(feedback);
}

/** The JSON body hawkBit's DdiActionFeedback expects. `timestamp` only when the clock is trusted. */
export function feedbackBody(feedback: Feedback, timestamp?: number, actionId?: string): Record<string, unknown> {
  const result: Record<string, unknown> = { finished: feedback.finished };
  if (feedback.progress !== undefined) result.progress = { ...feedback.progress };
  const status: Record<string, unknown> = { execution: feedback.execution, result };
  if (feedback.code !== undefined) status.code = feedback.code;
  status.details = [...feedback.details];
  // hawkBit up to 0.3 requires the action id in the body (404 without it); newer servers ignore it.
  return { ...(actionId === undefined ? {} : { id: actionId }), ...(timestamp === undefined ? {} : { timestamp }), status };
}

/** The JSON body hawkBit's DdiConfirmationFeedback expects. */
export function confirmationBody(feedback: ConfirmationFeedback): Record<string, unknown> {
  const body: Record<string, unknown> = { confirmation: feedback.confirmation };
  if (feedback.code !== undefined) body.code = feedback.code;
  body.details = [...feedback.details];
  return body;
}

/**
 * Splits every detail into pieces of ≤ 512 characters (never inside a surrogate pair) and keeps at most
 * 50 pieces; when more would be needed, the 50th says how many were dropped.
 */
export function limitDetails(details: readonly string[] | string | undefined): readonly string[] {
  const list = details === undefined ? [] : typeof details === 'string' ? [details] : details;
  const pieces: string[] = [];
  for (const detail of list) pieces.push(...splitDetail(String(detail)));
  if (pieces.length <= MAX_DETAIL_MESSAGES) return Object.freeze(pieces);
  const kept = pieces.slice(0, MAX_DETAIL_MESSAGES - 1);
  kept.push(`[truncated: ${pieces.length - kept.length} more detail messages not sent]`);
  return Object.freeze(kept);
}

/**
 * `details` (already split by limitDetails) with `redact` applied. A detail split into 512-character
 * pieces is joined again first, so that a secret across a piece boundary is found; the result is split
 * and limited again.
 */
export function redactDetails(details: readonly string[], redact: (text: string) => string): readonly string[] {
  const joined: string[] = [];
  let run = '';
  for (const piece of details) {
    run += piece;
    // Only the last piece of a split detail is shorter than a full piece (511: a surrogate pair kept whole).
    if (piece.length < DETAIL_PIECE_LENGTH - 1) {
      joined.push(run);
      run = '';
    }
  }
  if (run !== '') joined.push(run);
  const redacted = joined.map(redact);
  return redacted.every((text, index) => text === joined[index]) ? details : limitDetails(redacted);
}

function splitDetail(detail: string): string[] {
  if (detail.length <= DETAIL_PIECE_LENGTH) return [detail];
  const pieces: string[] = [];
  let start = 0;
  while (start < detail.length) {
    let end = Math.min(start + DETAIL_PIECE_LENGTH, detail.length);
    const last = detail.charCodeAt(end - 1);
    if (end < detail.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    pieces.push(detail.slice(start, end));
    start = end;
  }
  return pieces;
}

function checkProgress(progress: FeedbackProgress): FeedbackProgress {
  const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!whole(progress.cnt) || (progress.of !== undefined && !whole(progress.of))) {
    throw new InvalidFeedbackError(`progress must be whole numbers ≥ 0, got ${JSON.stringify(progress)}`);
  }
  return Object.freeze(progress.of === undefined ? { cnt: progress.cnt } : { cnt: progress.cnt, of: progress.of });
}

function checkCode(code: number): number {
  // hawkBit stores the code as a Java Integer.
  if (!Number.isSafeInteger(code) || code < -(2 ** 31) || code >= 2 ** 31) {
    throw new InvalidFeedbackError(`code must be a 32-bit whole number, got ${code}`);
  }
  return code;
}
