import test from 'ava';
import {
  DdiActionClosedError, DdiAuthError, DdiHttpError, DdiNetworkError, DdiNotFoundError, DdiProtocolError, DdiQuotaError,
  ddiRetryAfterMs, isRetryable,
} from '../../../src/ddi/index.js';
import { RETRY_POLICIES, retryDelayMs, withRetry } from '../../../src/net/index.js';

const http = (status: number, retryAfterMs?: number) => new DdiHttpError(status, retryAfterMs, `status ${status}`);
const DDI = { shouldRetry: isRetryable, retryAfterMs: ddiRetryAfterMs };

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

test('backoff grows by the factor up to the cap; jitter spreads at most its share either way', (t) => {
  const policy = { ...RETRY_POLICIES.ddiCall, minDelayMs: 1000, factor: 3, maxDelayMs: 30_000, jitter: 0.5 };
  const centre = () => 0.5;
  t.deepEqual([0, 1, 2, 3, 4].map((i) => retryDelayMs(policy, i, ddiRetryAfterMs(http(503)), centre)), [1000, 3000, 9000, 27_000, 30_000]);
  t.is(retryDelayMs(policy, 1, ddiRetryAfterMs(http(503)), () => 0), 1500);
  t.is(retryDelayMs(policy, 1, ddiRetryAfterMs(http(503)), () => 1), 4500);
  t.is(retryDelayMs(policy, 1, ddiRetryAfterMs(http(503)), () => 0.25), 2250);
});

test('Retry-After raises the wait; above the cap there is no retry', (t) => {
  const policy = { ...RETRY_POLICIES.ddiCall, minDelayMs: 1000, jitter: 0 };
  t.is(retryDelayMs(policy, 0, ddiRetryAfterMs(http(429, 10_000))), 10_000);
  t.is(retryDelayMs(policy, 0, ddiRetryAfterMs(http(429, 0))), 1000);
  t.is(retryDelayMs(policy, 0, ddiRetryAfterMs(http(503, 31_000))), undefined);
  t.is(ddiRetryAfterMs(new DdiNetworkError('reset', 'x')), undefined);
});

test('withRetry: retries retryable errors up to the bound, then throws the last error', async (t) => {
  const policy = { ...RETRY_POLICIES.ddiCall, retries: 2, minDelayMs: 1, jitter: 0 };
  let attempts = 0;
  const waits: number[] = [];
  const error = await t.throwsAsync(withRetry(async () => {
    attempts += 1;
    throw http(503);
  }, policy, { ...DDI, onRetry: (_e, _a, ms) => waits.push(ms) }));
  t.is(attempts, 3);
  t.deepEqual(waits, [1, 3]);
  t.is((error as DdiHttpError).status, 503);
  attempts = 0;
  await t.throwsAsync(withRetry(async () => {
    attempts += 1;
    throw new DdiAuthError(401, 'no');
  }, policy, DDI));
  t.is(attempts, 1);
  t.is(await withRetry(async (n) => (n < 2 ? Promise.reject(http(409)) : 'ok'), policy, DDI), 'ok');
});

test('withRetry: the elapsed-time budget ends retries', async (t) => {
  let attempts = 0;
  await t.throwsAsync(withRetry(async () => {
    attempts += 1;
    throw http(500);
  }, { ...RETRY_POLICIES.ddiCall, retries: 10, minDelayMs: 1_000, maxElapsedMs: 500 }, DDI));
  t.is(attempts, 1);
});
