import test from 'ava';
import { delay, linkSignals } from '../../../src/lib/abort.js';

test('linkSignals aborts with the reason of the first linked signal', (t) => {
  const a = new AbortController();
  const b = new AbortController();
  const linked = linkSignals([a.signal, undefined, b.signal]);
  t.false(linked.signal.aborted);
  b.abort(new Error('b'));
  t.true(linked.signal.aborted);
  t.is((linked.signal.reason as Error).message, 'b');
  t.false(linked.timedOut);
  linked.dispose();
});

test('linkSignals times out with a TimeoutError and says so', async (t) => {
  const linked = linkSignals([new AbortController().signal], 20);
  await delay(200);
  t.true(linked.signal.aborted);
  t.true(linked.timedOut);
  t.is((linked.signal.reason as DOMException).name, 'TimeoutError');
});

test('linkSignals starts aborted when a linked signal already is', (t) => {
  const a = new AbortController();
  a.abort(new Error('early'));
  t.is((linkSignals([a.signal]).signal.reason as Error).message, 'early');
});

test('dispose detaches: a later abort of the long-lived signal no longer reaches it, and the timer is cleared', async (t) => {
  const root = new AbortController();
  const linked = linkSignals([root.signal], 20);
  linked.dispose();
  root.abort(new Error('late'));
  await delay(60);
  t.false(linked.signal.aborted);
  t.false(linked.timedOut);
});
