import pRetry from 'p-retry';
import { delay } from '../lib/abort.js';

/**
 * How one kind of work is retried: the bounds, as data. The named policies of the agent are in
 * retry-policies.ts; the caller decides which errors are worth another try.
 */
export interface RetryPolicy {
  /** Attempts after the first (Infinity: never give up on the count). */
  readonly retries: number;
  /** Backoff before the first retry; × `factor` for each further one. */
  readonly minDelayMs: number;
  /** 1 = the same wait every time. */
  readonly factor: number;
  /** Cap on the backoff (before jitter). Also the bound of a Retry-After unless `maxRetryAfterMs` is set. */
  readonly maxDelayMs: number;
  /** Random spread around the backoff: 0.2 = between 80 % and 120 % of it, 0 = none. At most 1. */
  readonly jitter: number;
  /** No retry starts (nor its wait) past this much time since the first attempt (Infinity: no bound). */
  readonly maxElapsedMs: number;
  /** Longest Retry-After honoured; default `maxDelayMs`. */
  readonly maxRetryAfterMs?: number;
  /**
   * What a Retry-After beyond the bound does: `give-up` ends the retries (the error goes to the caller,
   * who can read the wait from it), `wait-max` waits the bound.
   */
  readonly longRetryAfter: 'give-up' | 'wait-max';
}

/**
 * The wait before retry number `retryIndex` (0 = the first retry): `minDelayMs × factor^retryIndex`,
 * capped at `maxDelayMs`, spread by ±`jitter`; at least the server's Retry-After (`retryAfterMs`, within
 * its bound). Undefined when the server asks for more than the bound and the policy then gives up.
 */
export function retryDelayMs(policy: RetryPolicy, retryIndex: number, retryAfterMs?: number, random: () => number = Math.random): number | undefined {
  const backoff = Math.min(policy.maxDelayMs, policy.minDelayMs * policy.factor ** Math.max(0, retryIndex));
  const jittered = Math.round(backoff * (1 - policy.jitter + 2 * policy.jitter * random()));
  if (retryAfterMs === undefined) return jittered;
  const bound = policy.maxRetryAfterMs ?? policy.maxDelayMs;
  if (retryAfterMs > bound && policy.longRetryAfter === 'give-up') return undefined;
  return Math.max(jittered, Math.min(retryAfterMs, bound));
}

export interface RetryOptions {
  /** Whether `error` is worth another attempt: the caller's rule (an abort never is). */
  readonly shouldRetry: (error: unknown) => boolean;
  /** The server's Retry-After carried by `error`, in milliseconds. */
  readonly retryAfterMs?: (error: unknown) => number | undefined;
  readonly signal?: AbortSignal;
  /** Called before each wait (for a log line); `attempt` is the number of the attempt that failed. */
  readonly onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
  readonly random?: () => number;
}

/**
 * Runs `call` (given the attempt number, from 1) until it succeeds or `policy` or `shouldRetry` ends the
 * retries; then rejects with the last error. Aborting `signal` ends it at once, also during a wait, with
 * the signal's reason.
 */
export function withRetry<T>(call: (attempt: number) => Promise<T>, policy: RetryPolicy, options: RetryOptions): Promise<T> {
  const { signal } = options;
  const started = Date.now();
  // p-retry counts attempts and stops them; the wait is ours (its own has no Retry-After and no ± jitter).
  return pRetry(call, {
    retries: policy.retries,
    minTimeout: 0,
    factor: 1,
    signal,
    shouldRetry: async ({ error, attemptNumber, retriesConsumed }) => {
      if (signal?.aborted || !options.shouldRetry(error)) return false;
      const waitMs = retryDelayMs(policy, retriesConsumed, options.retryAfterMs?.(error), options.random);
      if (waitMs === undefined || Date.now() - started + waitMs > policy.maxElapsedMs) return false;
      options.onRetry?.(error, attemptNumber, waitMs);
      await delay(waitMs, { signal });
      return true;
    },
  });
}
