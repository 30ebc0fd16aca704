import type { RetryPolicy } from './retry.js';

/**
 * Every retry of the agent, one policy per use (docs/reliability.md, "Retries"). A user may replace the
 * fields its configuration decides (named below); the rest is fixed here.
 */
export const RETRY_POLICIES = Object.freeze({
  /**
   * One DDI request (src/ddi): a few attempts within a minute, then the error goes to the poll loop.
   * Waits 0.5–1 s, 1.5–3 s, 4.5–9 s. A Retry-After above 30 s is the poll loop's business.
   */
  ddiCall: Object.freeze({
    retries: 3,
    minDelayMs: 750,
    factor: 3,
    maxDelayMs: 30_000,
    jitter: 1 / 3,
    maxElapsedMs: 60_000,
    longRetryAfter: 'give-up',
  }),
  /**
   * One artifact download (src/download), resumed with Range where allowed: `retries` is
   * download_retries, waits 1 s ± 20 % doubling up to 60 s ± 20 %. No total-time bound: a large file
   * on a slow link may take hours, and the low-speed watch ends a stalled attempt.
   */
  download: Object.freeze({
    retries: 5,
    minDelayMs: 1_000,
    factor: 2,
    maxDelayMs: 60_000,
    jitter: 0.2,
    maxElapsedMs: Infinity,
    longRetryAfter: 'wait-max',
  }),
  /**
   * The agent's wait after a failed poll (src/agent): retry_wait ± 20 % every time (`minDelayMs` and
   * `maxDelayMs` are retry_wait), never giving up; a longer Retry-After wins, up to an hour.
   */
  pollLoop: Object.freeze({
    retries: Infinity,
    minDelayMs: 300_000,
    factor: 1,
    maxDelayMs: 300_000,
    jitter: 0.2,
    maxElapsedMs: Infinity,
    maxRetryAfterMs: 3_600_000,
    longRetryAfter: 'wait-max',
  }),
} as const satisfies Record<string, RetryPolicy>);
