import test from 'ava';
import { ProgressThrottle } from '../../../src/agent/throttle.js';

test('sends 0 %, then steps of at least 10 % at least 30 s apart, and 100 %', (t) => {
  let now = 0;
  const throttle = new ProgressThrottle(10, 30_000, () => now);
  const sent: number[] = [];
  for (let percent = 0; percent <= 100; percent++) {
    now += 1000;
    if (throttle.shouldSend(percent)) sent.push(percent);
  }
  t.deepEqual(sent, [0, 30, 60, 90, 100]);
});

test('a fast transfer still sends few updates', (t) => {
  const throttle = new ProgressThrottle(10, 30_000, () => 0);
  const sent = Array.from({ length: 101 }, (_, percent) => percent).filter((percent) => throttle.shouldSend(percent));
  t.deepEqual(sent, [0, 100]);
});

test('repeated 100 % goes out once', (t) => {
  const throttle = new ProgressThrottle(10, 0, () => 0);
  t.true(throttle.shouldSend(100));
  t.false(throttle.shouldSend(100));
});
