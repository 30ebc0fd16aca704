import test from 'ava';
import {
  DdiActionClosedError, DdiAuthError, DdiHttpError, DdiNetworkError, DdiNotFoundError, DdiProtocolError, DdiQuotaError,
  DEFAULT_RETRY_POLICY, isRetryable, parseRetryAfter, retryDelayMs, withRetry,
} from '../../../src/ddi/index.js';

const http = (status: number, retryAfterMs?: number) => new DdiHttpError(status, retryAfterMs, `status ${status}`);

test('what is retried and what is not', (t) => {
  for (const status of [408, 409, 429, 500, 502, 503, 504]) t.true(isRetryable(http(status)), String(status));
  for (const status of [400, 405, 412, 301]) t.false(isRetryable(http(status)), String(status));
  for (const kind of ['dns', 'refused', 'reset', 'timeout', 'other'] as const) t.true(isRetryable(new DdiNetworkError(kind, kind)));
  t.false(isRetryable(new DdiNetworkError('tls', 'self-signed')));
  t.false(isRetryable(new DdiNetworkError('proxy', '407')));
  t.false(isRetryable(new DdiAuthError(401, 'x')));
  t.false(isRetryable(new DdiAuthError(403, 'x')));
  t.false(isRetryable(new DdiNotFoundError('/p', 'x')));
  t.false(isRetryable(new DdiActionClosedError('1', 'x')));
  t.false(isRetryable(new DdiQuotaError(429, 'hawkbit.server.error.quota.tooManyEntries', 'x')));
  t.false(isRetryable(new DdiProtocolError('f', 'x')));
  t.false(isRetryable(new Error('bug')));
});

test('backoff grows by the factor up to the cap; jitter takes off at most its share', (t) => {
  const policy = { ...DEFAULT_RETRY_POLICY, minDelayMs: 1000, factor: 3, maxDelayMs: 30_000, jitter: 0.5 };
  const none = () => 0;
  t.deepEqual([0, 1, 2, 3, 4].map((i) => retryDelayMs(policy, i, http(503), none)), [1000, 3000, 9000, 27_000, 30_000]);
  t.is(retryDelayMs(policy, 1, http(503), () => 1), 1500);
  t.is(retryDelayMs(policy, 1, http(503), () => 0.5), 2250);
});

test('Retry-After raises the wait; above the cap there is no retry', (t) => {
  const policy = { ...DEFAULT_RETRY_POLICY, jitter: 0 };
  t.is(retryDelayMs(policy, 0, http(429, 10_000)), 10_000);
  t.is(retryDelayMs(policy, 0, http(429, 0)), 1000);
  t.is(retryDelayMs(policy, 0, http(503, 31_000)), undefined);
});

test('Retry-After parsing: seconds, HTTP date, garbage', (t) => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
  t.is(parseRetryAfter('120', now), 120_000);
  t.is(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30_000);
  t.is(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now), 0);
  t.is(parseRetryAfter('soon', now), undefined);
  t.is(parseRetryAfter('-5', now), undefined);
  t.is(parseRetryAfter(undefined, now), undefined);
});

test('withRetry: retries retryable errors up to the bound, then throws the last error', async (t) => {
  const policy = { ...DEFAULT_RETRY_POLICY, retries: 2, minDelayMs: 1, jitter: 0 };
  let attempts = 0;
  const waits: number[] = [];
  const error = await t.throwsAsync(withRetry(async () => {
    attempts += 1;
    throw http(503);
  }, policy, { onRetry: (_e, _a, ms) => waits.push(ms) }));
  t.is(attempts, 3);
  t.deepEqual(waits, [1, 3]);
  t.is((error as DdiHttpError).status, 503);
  attempts = 0;
  await t.throwsAsync(withRetry(async () => {
    attempts += 1;
    throw new DdiAuthError(401, 'no');
  }, policy));
  t.is(attempts, 1);
  t.is(await withRetry(async (n) => (n < 2 ? Promise.reject(http(409)) : 'ok'), policy), 'ok');
});

test('withRetry: the elapsed-time budget ends retries', async (t) => {
  let attempts = 0;
  await t.throwsAsync(withRetry(async () => {
    attempts += 1;
    throw http(500);
  }, { ...DEFAULT_RETRY_POLICY, retries: 10, minDelayMs: 1_000, maxElapsedMs: 500 }));
  t.is(attempts, 1);
});
