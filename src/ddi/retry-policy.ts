import pRetry from 'p-retry';
import { delay } from '../lib/abort.js';
import { isDdiHttpError, isDdiNetworkError } from './errors.js';

/**
 * How one DDI call is retried. Bounded on purpose: a few attempts within about a minute, then the error
 * goes to the caller, whose poll loop (retry_wait, the server's sleep) stays in charge.
 */
export interface RetryPolicy {
  /** Attempts after the first. */
  readonly retries: number;
  /** Wait before the first retry; doubled (× factor) for each further one. */
  readonly minDelayMs: number;
  readonly factor: number;
  /** Cap on one wait. A Retry-After above it ends the retries (the error carries retryAfterMs). */
  readonly maxDelayMs: number;
  /** Share of each wait that is random (0 = none, 0.5 = between 50 % and 100 % of the backoff). */
  readonly jitter: number;
  /** No retry starts after this much time since the first attempt. */
  readonly maxElapsedMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retries: 3,
  minDelayMs: 1_000,
  factor: 3,
  maxDelayMs: 30_000,
  jitter: 0.5,
  maxElapsedMs: 60_000,
});

/** Statuses worth another try: timeout, conflict (concurrent update on the server), rate limit, 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Network failures (not TLS or proxy refusals, which a retry cannot fix) and retryable statuses. Never
 * 401/403/404/410, quota or protocol errors, nor an abort.
 */
export function isRetryable(error: unknown): boolean {
  if (isDdiNetworkError(error)) return error.kind !== 'tls' && error.kind !== 'proxy';
  if (isDdiHttpError(error)) return isRetryableStatus(error.status);
  return false;
}

/**
 * Wait before retry number `retryIndex` (0 = the first retry): exponential backoff with jitter, at
 * least the server's Retry-After. Undefined when the server asks for longer than `maxDelayMs`.
 */
export function retryDelayMs(policy: RetryPolicy, retryIndex: number, error: unknown, random: () => number = Math.random): number | undefined {
  const backoff = Math.min(policy.maxDelayMs, policy.minDelayMs * policy.factor ** retryIndex);
  const jittered = Math.round(backoff * (1 - policy.jitter * random()));
  const retryAfter = isDdiHttpError(error) ? error.retryAfterMs : undefined;
  if (retryAfter === undefined) return jittered;
  if (retryAfter > policy.maxDelayMs) return undefined;
  return Math.max(jittered, retryAfter);
}

/** `Retry-After` as milliseconds: one reading for every HTTP client of the agent (src/net). */
export { parseRetryAfter } from '../net/index.js';

export interface RetryHooks {
  readonly signal?: AbortSignal;
  /** Called before each wait (for a log line). */
  readonly onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
  readonly random?: () => number;
}

/** Runs `call` under `policy`; aborting `signal` ends it at once, also while waiting between attempts. */
export function withRetry<T>(call: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  const started = Date.now();
  return pRetry(call, {
    retries: policy.retries,
    minTimeout: 0,
    factor: 1,
    signal: hooks.signal,
    shouldRetry: async ({ error, attemptNumber, retriesConsumed }) => {
      if (hooks.signal?.aborted || !isRetryable(error)) return false;
      const waitMs = retryDelayMs(policy, retriesConsumed, error, hooks.random);
      if (waitMs === undefined || Date.now() - started + waitMs > policy.maxElapsedMs) return false;
      hooks.onRetry?.(error, attemptNumber, waitMs);
      await delay(waitMs, { signal: hooks.signal });
      return true;
    },
  });
}
