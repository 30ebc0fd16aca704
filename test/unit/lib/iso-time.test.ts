import test from 'ava';
import { isoTime } from '../../../src/lib/iso-time.js';

test('isoTime gives the text of toISOString for any time, as a number or a Date', (t) => {
  const edges = [0, -1, 1, 951_782_400_000 /* 2000-02-29 */, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(0, 0, 1) - 86_400_000 * 366 * 1900, Date.UTC(-1, 11, 31), Date.UTC(10000, 0, 1), 8.64e15, -8.64e15];
  let seed = 12345;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31 - 0.5) * 2 * 2.6e14;
  for (const ms of [...edges, ...Array.from({ length: 2000 }, random)].map(Math.trunc)) {
    t.is(isoTime(ms), new Date(ms).toISOString(), String(ms));
    t.is(isoTime(new Date(ms)), new Date(ms).toISOString(), String(ms));
  }
  t.regex(isoTime(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('isoTime of an invalid date throws as toISOString does', (t) => {
  t.throws(() => isoTime(Number.NaN), { instanceOf: RangeError });
  t.throws(() => isoTime(new Date('not a date')), { instanceOf: RangeError });
});
