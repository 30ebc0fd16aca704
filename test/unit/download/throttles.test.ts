import test from 'ava';
import { LowSpeedWatch } from '../../../src/download/low-speed.js';
import { ProgressThrottle } from '../../../src/download/progress.js';
import { SpeedLimit } from '../../../src/download/speed-limit.js';
import type { DownloadProgress } from '../../../src/download/index.js';

test('speed limit: no free burst at the start, the average is held to the rate from the first byte', (t) => {
  let now = 0;
  const limit = new SpeedLimit(1000, () => now);
  t.is(limit.delayMs(1000), 1000, 'the first second of bytes waits a second');
  now = 1000;
  t.is(limit.delayMs(500), 500);
  now = 1500;
  t.is(limit.delayMs(0), 0);
  t.is(limit.delayMs(2000), 2000);
  now = 10_000;
  t.is(limit.delayMs(50), 0, 'idle time refills at most 50 ms of tokens');
  t.is(limit.delayMs(1000), 1000);
});

test('speed limit: any window of a second or more holds at most rate × window plus the 50 ms burst', (t) => {
  let now = 0;
  const rate = 4_000_000;
  const limit = new SpeedLimit(rate, () => now);
  const arrivals: { at: number; bytes: number }[] = [];
  let total = 0;
  // A reader that takes 64 KiB chunks whenever allowed, sometimes late (a loaded machine's timers).
  for (let i = 0; i < 2000; i++) {
    total += 65_536;
    arrivals.push({ at: now, bytes: total });
    now += limit.delayMs(65_536) + (i % 7 === 0 ? 30 : 1);
  }
  let worst = 0;
  for (let i = 0; i < arrivals.length; i++) {
    const before = arrivals[i - 1]?.bytes ?? 0;
    for (let j = i; j < arrivals.length; j++) {
      const span = arrivals[j]!.at - arrivals[i]!.at;
      if (span >= 1000) worst = Math.max(worst, (arrivals[j]!.bytes - before) / ((rate * span) / 1000 + rate * 0.05 + 65_536));
    }
  }
  t.true(worst <= 1, `worst window ${worst.toFixed(3)} of the allowance`);
});

test('progress rate covers the last 5 s, not the burst at the start', (t) => {
  let now = 0;
  const seen: DownloadProgress[] = [];
  const throttle = new ProgressThrottle({ total: 100_000_000, start: 0, now: () => now, onProgress: (p) => seen.push(p) });
  now = 10;
  throttle.update(10_000_000); // 10 MB in the first 10 ms
  t.is(seen.at(-1)?.rate, 1_000_000_000);
  for (let second = 1; second <= 10; second++) {
    now = 10 + second * 1000;
    throttle.update(10_000_000 + second * 1_000_000); // then 1 MB/s
  }
  t.is(seen.at(-1)?.rate, 1_000_000, 'the burst has left the window');
  now += 2000;
  throttle.update(20_000_000); // a 2 s stall
  t.is(seen.at(-1)?.rate, 600_000, '3 MB over the last 5 s');
  throttle.restart(5_000_000);
  now += 1000;
  throttle.update(5_500_000);
  t.is(seen.at(-1)?.rate, 500_000, 'a new attempt measures from its own start');
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

test('low-speed watch: a late check (our process was not running) does not count as a stall', (t) => {
  let now = 0;
  let stalls = 0;
  const watch = new LowSpeedWatch({ rate: 100, timeMs: 1000, now: () => now, onStall: () => stalls++ });
  t.teardown(() => watch.stop());
  now = 3000; // the event loop was blocked for 3 s: bytes may be waiting unread in the socket
  watch.check();
  t.is(stalls, 0, 'only 500 ms (two intervals) of the 3 s count');
  now += 250;
  watch.add(100); // the backlog is read
  watch.check();
  t.is(stalls, 0);
  for (let i = 0; i < 4; i++) {
    now += 250;
    watch.check(); // then nothing arrives while we do run
  }
  t.is(stalls, 1, 'a real stall is still caught');
});

test('low-speed watch: restart() (the body begins) gives the body a whole window of its own', (t) => {
  let now = 0;
  let stalls = 0;
  const watch = new LowSpeedWatch({ rate: 100, timeMs: 1000, now: () => now, onStall: () => stalls++ });
  t.teardown(() => watch.stop());
  for (let i = 0; i < 3; i++) {
    now += 250;
    watch.check(); // a slow answer: 750 ms without a byte
  }
  watch.restart();
  for (let i = 0; i < 3; i++) {
    now += 250;
    watch.check(); // the body's first 750 ms: still not a whole window
  }
  t.is(stalls, 0, 'the wait for the answer does not shorten the body\'s window');
  now += 250;
  watch.check();
  t.is(stalls, 1, 'a body that then sends nothing for a whole window is a stall');
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
