import test from 'ava';
import { parseRetryAfter, RETRY_POLICIES, retryDelayMs, withRetry, type RetryPolicy } from '../../../src/net/index.js';

const POLICY: RetryPolicy = { retries: 3, minDelayMs: 1000, factor: 3, maxDelayMs: 30_000, jitter: 0.5, maxElapsedMs: 60_000, longRetryAfter: 'give-up' };
const centre = () => 0.5;
const retryable = Object.assign(new Error('try again'), { retryable: true });
const final = new Error('final');
const isRetryable = (error: unknown) => (error as { retryable?: boolean }).retryable === true;

test('backoff grows by the factor from minDelayMs up to maxDelayMs', (t) => {
  t.deepEqual([0, 1, 2, 3, 4, 10].map((i) => retryDelayMs(POLICY, i, undefined, centre)), [1000, 3000, 9000, 27_000, 30_000, 30_000]);
  const constant = { ...POLICY, factor: 1, minDelayMs: 5000, maxDelayMs: 5000, jitter: 0 };
  t.deepEqual([0, 1, 7].map((i) => retryDelayMs(constant, i)), [5000, 5000, 5000]);
});

test('jitter spreads each wait over ± its share of the backoff, and only there', (t) => {
  t.is(retryDelayMs(POLICY, 1, undefined, () => 0), 1500);
  t.is(retryDelayMs(POLICY, 1, undefined, () => 1), 4500);
  t.is(retryDelayMs(POLICY, 4, undefined, () => 0), 15_000);
  t.is(retryDelayMs(POLICY, 4, undefined, () => 1), 45_000);
  const seen = new Set<number>();
  for (let i = 0; i < 500; i++) {
    const wait = retryDelayMs({ ...POLICY, jitter: 0.2 }, 0)!;
    t.true(wait >= 800 && wait <= 1200, String(wait));
    seen.add(wait);
  }
  t.true(seen.size > 50, `${seen.size} different waits out of 500`);
  t.is(retryDelayMs({ ...POLICY, jitter: 0 }, 2, undefined, () => 0.9), 9000);
});

test('Retry-After raises the wait, never shortens it; beyond the bound: give up or wait the bound, as the policy says', (t) => {
  const policy = { ...POLICY, jitter: 0 };
  t.is(retryDelayMs(policy, 0, 10_000), 10_000);
  t.is(retryDelayMs(policy, 0, 0), 1000);
  t.is(retryDelayMs(policy, 2, 2000), 9000);
  t.is(retryDelayMs(policy, 0, 30_000), 30_000);
  t.is(retryDelayMs(policy, 0, 31_000), undefined);
  t.is(retryDelayMs({ ...policy, longRetryAfter: 'wait-max' }, 0, 31_000), 30_000);
  // A bound of its own, above the backoff's cap.
  const poll = { ...policy, factor: 1, minDelayMs: 300, maxDelayMs: 300, maxRetryAfterMs: 3_600_000, longRetryAfter: 'wait-max' as const };
  t.is(retryDelayMs(poll, 0, 2000), 2000);
  t.is(retryDelayMs(poll, 0, 7_200_000), 3_600_000);
  t.is(retryDelayMs({ ...poll, longRetryAfter: 'give-up' }, 0, 3_600_001), undefined);
});

test('Retry-After in both forms: seconds and an HTTP date', (t) => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
  const policy = { ...POLICY, jitter: 0 };
  t.is(retryDelayMs(policy, 0, parseRetryAfter('20', now)), 20_000);
  t.is(retryDelayMs(policy, 0, parseRetryAfter('Wed, 21 Oct 2026 07:28:12 GMT', now)), 12_000);
  t.is(retryDelayMs(policy, 0, parseRetryAfter('Wed, 21 Oct 2026 07:29:00 GMT', now)), undefined);
  t.is(retryDelayMs(policy, 0, parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', now)), 1000);
  t.is(retryDelayMs(policy, 0, parseRetryAfter('soon', now)), 1000);
});

test('the policy table: each use is bounded as documented', (t) => {
  const { ddiCall, download, pollLoop } = RETRY_POLICIES;
  const range = (policy: RetryPolicy, i: number) => [retryDelayMs(policy, i, undefined, () => 0), retryDelayMs(policy, i, undefined, () => 1)];
  t.deepEqual([0, 1, 2].map((i) => range(ddiCall, i)), [[500, 1000], [1500, 3000], [4500, 9000]]);
  t.is(ddiCall.retries, 3);
  t.is(ddiCall.maxElapsedMs, 60_000);
  t.is(retryDelayMs(ddiCall, 0, 30_001), undefined);
  t.deepEqual([0, 1, 2, 6, 20].map((i) => range(download, i)), [[800, 1200], [1600, 2400], [3200, 4800], [48_000, 72_000], [48_000, 72_000]]);
  t.is(retryDelayMs(download, 0, 3_600_000, centre), 60_000);
  t.deepEqual([0, 5, 100].map((i) => range(pollLoop, i)), [[240_000, 360_000], [240_000, 360_000], [240_000, 360_000]]);
  t.is(retryDelayMs(pollLoop, 0, 86_400_000, centre), 3_600_000);
  t.is(pollLoop.retries, Infinity);
  for (const policy of Object.values(RETRY_POLICIES)) t.true(Object.isFrozen(policy));
});

test('withRetry: retries what the predicate allows up to the bound, then rejects with the last error', async (t) => {
  const policy = { ...POLICY, retries: 2, minDelayMs: 1, jitter: 0 };
  const seen: unknown[] = [];
  const retries: [number, number][] = [];
  let attempts = 0;
  const error = await t.throwsAsync(withRetry(async (n) => {
    attempts += 1;
    t.is(n, attempts);
    throw Object.assign(new Error(`attempt ${n}`), { retryable: true });
  }, policy, {
    shouldRetry: (e) => {
      seen.push(e);
      return isRetryable(e);
    },
    onRetry: (_e, attempt, ms) => retries.push([attempt, ms]),
  }));
  t.is(attempts, 3);
  t.is(error!.message, 'attempt 3');
  t.deepEqual(retries, [[1, 1], [2, 3]]);
  t.deepEqual(seen.map((e) => (e as Error).message), ['attempt 1', 'attempt 2']);
});

test('withRetry: the caller\'s predicate decides; a final error is not retried, a success ends the retries', async (t) => {
  const policy = { ...POLICY, minDelayMs: 1, jitter: 0 };
  let attempts = 0;
  const error = await t.throwsAsync(withRetry(async () => {
    attempts += 1;
    throw final;
  }, policy, { shouldRetry: isRetryable }));
  t.is(error, final);
  t.is(attempts, 1);
  t.is(await withRetry(async (n) => (n < 3 ? Promise.reject(retryable) : 'ok'), policy, { shouldRetry: isRetryable }), 'ok');
  attempts = 0;
  await t.throwsAsync(withRetry(async (n) => {
    attempts = n;
    throw n === 1 ? retryable : final;
  }, policy, { shouldRetry: isRetryable }));
  t.is(attempts, 2);
});

test('withRetry: a Retry-After beyond a give-up bound ends the retries with that error; within it, it is the wait', async (t) => {
  const policy = { ...POLICY, minDelayMs: 1, maxDelayMs: 20, jitter: 0 };
  const asking = (ms: number) => Object.assign(new Error(`retry after ${ms}`), { retryable: true, retryAfterMs: ms });
  const retryAfterMs = (e: unknown) => (e as { retryAfterMs?: number }).retryAfterMs;
  let attempts = 0;
  const error = await t.throwsAsync(withRetry(async () => {
    attempts += 1;
    throw asking(21);
  }, policy, { shouldRetry: isRetryable, retryAfterMs }));
  t.is(attempts, 1);
  t.is(error!.message, 'retry after 21');
  const waits: number[] = [];
  t.is(await withRetry(async (n) => (n < 2 ? Promise.reject(asking(15)) : 'ok'), policy, { shouldRetry: isRetryable, retryAfterMs, onRetry: (_e, _n, ms) => waits.push(ms) }), 'ok');
  t.deepEqual(waits, [15]);
});

test('withRetry: the total-time bound ends retries, counting the wait that would start', async (t) => {
  let attempts = 0;
  await t.throwsAsync(withRetry(async () => {
    attempts += 1;
    throw retryable;
  }, { ...POLICY, retries: 10, minDelayMs: 1_000, maxElapsedMs: 500 }, { shouldRetry: isRetryable }));
  t.is(attempts, 1);
  attempts = 0;
  // Waits of 400 ms within 1 s: the first retry always fits, a third never (it would start after 1.2 s).
  await t.throwsAsync(withRetry(async () => {
    attempts += 1;
    throw retryable;
  }, { ...POLICY, retries: 10, minDelayMs: 400, factor: 1, jitter: 0, maxElapsedMs: 1000 }, { shouldRetry: isRetryable }));
  t.true(attempts >= 2 && attempts <= 3, `${attempts} attempts`);
  t.is(await withRetry(async () => 'first', { ...POLICY, maxElapsedMs: 0 }, { shouldRetry: isRetryable }), 'first');
});

test('withRetry: an abort ends a wait at once with the abort\'s reason, and no further attempt starts', async (t) => {
  const controller = new AbortController();
  const reason = new Error('stop now');
  let attempts = 0;
  // An hour's wait: the test could not end unless the abort interrupted it.
  const pending = withRetry(async () => {
    attempts += 1;
    throw retryable;
  }, { ...POLICY, minDelayMs: 3_600_000, maxDelayMs: 3_600_000, maxElapsedMs: Infinity, jitter: 0 }, {
    shouldRetry: isRetryable,
    signal: controller.signal,
    onRetry: () => setImmediate(() => controller.abort(reason)),
  });
  t.is(await t.throwsAsync(pending), reason);
  t.is(attempts, 1);
  let called = false;
  const reasonBefore = await withRetry(async () => {
    called = true;
  }, POLICY, { shouldRetry: isRetryable, signal: controller.signal }).catch((e: unknown) => e);
  t.is(reasonBefore, reason);
  t.false(called);
});

test('withRetry: an abort during an attempt is never retried, even when the predicate would', async (t) => {
  const controller = new AbortController();
  let attempts = 0;
  const error = await t.throwsAsync(withRetry(async () => {
    attempts += 1;
    controller.abort(new Error('aborted in the attempt'));
    throw retryable;
  }, { ...POLICY, minDelayMs: 1 }, { shouldRetry: () => true, signal: controller.signal }));
  t.is(attempts, 1);
  t.is(error, retryable);
});
