/**
 * How long the agent waits before its next poll, read from when the polls arrived at the server, with
 * the times scaled down: the server's sleep when idle, active_poll_interval while an action runs,
 * retry_wait with ±20 % jitter after a failed poll, and Retry-After, which can only lengthen that.
 * Only lower bounds and wide upper bounds (another choice of wait) are asserted: a loaded machine makes
 * polls late, never early.
 */
import test from 'ava';
import { AgentHarness } from '../helpers/agent-harness.js';

/** A timer fires no earlier than asked; the server's arrival times may still differ by a few ms. */
const EPSILON_MS = 25;
const BASE = /\/controller\/v1\/device-1$/;

/** Arrival times of the polls of the controller base. */
const polls = (h: AgentHarness) => h.hb.requests.filter((request) => request.method === 'GET' && BASE.test(request.path)).map((request) => request.at);
const gaps = (times: readonly number[]) => times.slice(1).map((time, index) => time - times[index]!);

test('idle: the server\'s sleep (config.polling.sleep) decides, not retry_wait or active_poll_interval', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  h.hb.setPollingSleep('00:00:02');
  h.config = { ...h.config, retryWaitMs: 300, activePollIntervalMs: 300 };
  await h.runUntil(() => polls(h).length >= 4);
  const waits = gaps(polls(h)).slice(0, 3);
  t.is(waits.length, 3);
  for (const wait of waits) t.true(wait >= 2000 - EPSILON_MS, `idle poll ${wait} ms after the previous one`);
});

test('while an action runs: active_poll_interval, not the server\'s sleep', async (t) => {
  // 17 progress steps 250 ms apart: the installation takes about 4 s.
  const h = await AgentHarness.start({ fakeRauc: { delayMs: 250 } });
  t.teardown(() => h.stop());
  h.hb.setPollingSleep('00:00:30');
  h.config = { ...h.config, retryWaitMs: 60_000, activePollIntervalMs: 250 };
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content: Buffer.from('bundle') }] }] });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  const feedback = h.hb.requests.filter((request) => request.path.endsWith('/feedback')).map((request) => request.at);
  const during = polls(h).filter((time) => time > feedback[0]! && time < feedback.at(-1)!);
  // With the server's 30 s there would be none.
  t.true(during.length >= 4, `${during.length} polls during the action`);
  for (const wait of gaps(during)) t.true(wait >= 250 - EPSILON_MS, `active poll ${wait} ms after the previous one`);
});

test('after failed polls: retry_wait with jitter (±20 %), not the server\'s sleep', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  h.hb.setPollingSleep('00:00:30');
  h.config = { ...h.config, retryWaitMs: 1500, activePollIntervalMs: 100 };
  // 400 is not retried by the DDI client: each failure goes straight to the poll loop.
  h.hb.failNext(7, 400, { match: BASE });
  await h.runUntil(() => polls(h).length >= 7);
  const waits = gaps(polls(h)).slice(0, 6);
  for (const wait of waits) {
    t.true(wait >= 1200 - EPSILON_MS, `retry ${wait} ms after the failure (retry_wait 1.5 s - 20 %)`);
    t.true(wait < 10_000, `retry ${wait} ms after the failure: not the server's 30 s`);
  }
  // Six waits drawn from 1200..1800 ms lie within 50 ms of each other with a chance of about 1 in 40 000.
  t.true(Math.max(...waits) - Math.min(...waits) >= 50, `jittered: ${waits.join(' ')}`);
  t.regex(h.logs.text, /poll failed: GET .* the server answered 400; next try in [12] s/);
});

test('Retry-After lengthens the wait after a failed poll but never shortens retry_wait', async (t) => {
  // No retries inside the DDI client: the poll loop sees each 503 and its Retry-After at once.
  const h = await AgentHarness.start({ ddiRetry: { retries: 0 } });
  t.teardown(() => h.stop());
  h.hb.setPollingSleep('00:00:30');
  h.config = { ...h.config, retryWaitMs: 300, activePollIntervalMs: 100 };
  h.hb.failNext(1, 503, { match: BASE, retryAfter: 2 });
  await h.runUntil(() => polls(h).length >= 2);
  const longer = gaps(polls(h))[0]!;
  t.true(longer >= 2000 - EPSILON_MS, `Retry-After 2 s over retry_wait 0.3 s: next poll after ${longer} ms`);

  h.hb.requests.length = 0;
  h.config = { ...h.config, retryWaitMs: 2500 };
  h.hb.failNext(1, 503, { match: BASE, retryAfter: 1 });
  await h.runUntil(() => polls(h).length >= 2);
  const kept = gaps(polls(h))[0]!;
  t.true(kept >= 2000 - EPSILON_MS, `Retry-After 1 s under retry_wait 2.5 s: next poll after ${kept} ms`);
  t.true(kept < 10_000, `not the server's 30 s (${kept} ms)`);
});

test('a Retry-After beyond an hour is honoured for an hour, not longer', async (t) => {
  const h = await AgentHarness.start({ ddiRetry: { retries: 0 } });
  t.teardown(() => h.stop());
  h.config = { ...h.config, retryWaitMs: 300, activePollIntervalMs: 100 };
  h.hb.failNext(1, 503, { match: BASE, retryAfter: 7200 });
  await h.runUntil(() => /poll failed/.test(h.logs.text));
  t.regex(h.logs.text, /poll failed: GET .* the server answered 503 \(Retry-After 7200 s\); next try in 3600 s/);
  t.is(polls(h).length, 1);
});
