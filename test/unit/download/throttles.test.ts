import test from 'ava';
import { LowSpeedWatch } from '../../../src/download/low-speed.js';
import { ProgressThrottle } from '../../../src/download/progress.js';
import { SpeedLimit } from '../../../src/download/speed-limit.js';
import type { DownloadProgress } from '../../../src/download/index.js';

test('speed limit: a burst of one second is free, then the average is held to the rate', (t) => {
  let now = 0;
  const limit = new SpeedLimit(1000, () => now);
  t.is(limit.delayMs(1000), 0);
  t.is(limit.delayMs(500), 500);
  now = 500;
  t.is(limit.delayMs(0), 0);
  t.is(limit.delayMs(2000), 2000);
  now = 10_000;
  t.is(limit.delayMs(1000), 0, 'idle time refills at most one second of tokens');
  t.is(limit.delayMs(1000), 1000);
});

test('progress reports once per whole percent and ends at the total', (t) => {
  const seen: DownloadProgress[] = [];
  const throttle = new ProgressThrottle({ total: 10_000, start: 0, onProgress: (p) => seen.push(p) });
  const started = performance.now();
  for (let bytes = 1; bytes <= 10_000; bytes++) throttle.update(bytes);
  throttle.finish(10_000);
  const extra = Math.ceil((performance.now() - started) / 1000);
  t.true(seen.length >= 100 && seen.length <= 100 + extra, `${seen.length} reports`);
  t.is(seen.at(-1)?.bytesDone, 10_000);
  t.true(seen.every((p) => p.bytesTotal === 10_000 && p.rate >= 0));
});

test('progress without a known total is reported by time only', (t) => {
  const seen: DownloadProgress[] = [];
  const throttle = new ProgressThrottle({ total: undefined, start: 0, onProgress: (p) => seen.push(p) });
  const started = performance.now();
  for (let bytes = 1; bytes <= 1000; bytes++) throttle.update(bytes);
  t.true(seen.length <= Math.ceil((performance.now() - started) / 1000));
  throttle.finish(1000);
  t.is(seen.at(-1)?.bytesDone, 1000);
});

test('low-speed watch fires when the rate over a whole window is too low, once', (t) => {
  let now = 0;
  let stalls = 0;
  const watch = new LowSpeedWatch({ rate: 100, timeMs: 1000, now: () => now, onStall: () => stalls++ });
  t.teardown(() => watch.stop());
  for (let i = 0; i < 12; i++) {
    now += 250;
    watch.add(100); // 400 B/s: fast enough
    watch.check();
  }
  t.is(stalls, 0);
  for (let i = 0; i < 3; i++) {
    now += 250;
    watch.check(); // nothing arrives from here on

  }
  t.is(stalls, 0, 'not yet a whole window of slowness');
  now += 250;
  watch.check();
  t.is(stalls, 1, 'a whole window without enough bytes');
  now += 250;
  watch.check();
  t.is(stalls, 1, 'reported once');
});

test('low-speed watch catches a server that never sends a byte (real timer)', async (t) => {
  const keepAlive = setTimeout(() => undefined, 30_000); // the watch's own timer does not hold the process
  t.teardown(() => clearTimeout(keepAlive));
  const stalled = await new Promise<boolean>((resolve) => {
    const watch = new LowSpeedWatch({ rate: 1, timeMs: 100, onStall: () => resolve(true) });
    t.teardown(() => watch.stop());
  });
  t.true(stalled);
});
