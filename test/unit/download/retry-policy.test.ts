import test from 'ava';
import { DownloadHttpError, DownloadStalledError, DownloadTimeoutError, SizeMismatchError, ChecksumMismatchError } from '../../../src/download/index.js';
import { ConnectTimeoutError } from '../../../src/net/index.js';
import { backoffMs, isTransient, isUrlFailure, parseRetryAfter } from '../../../src/download/retry-policy.js';

const http = (status: number, retryAfterMs?: number) => new DownloadHttpError({ status, url: 'http://h/x', retryAfterMs });
const system = (code: string) => Object.assign(new Error(code), { code });

test('resets, timeouts, stalls, 5xx, 408 and 429 are transient', (t) => {
  for (const error of [system('ECONNRESET'), system('ECONNREFUSED'), system('ETIMEDOUT'), http(500), http(503), http(408), http(429),
    new DownloadStalledError({ rate: 1, timeMs: 1, url: 'http://h/' }), new DownloadTimeoutError({ timeoutMs: 1, url: 'http://h/' }),
    new SizeMismatchError({ expected: 10, actual: 5, what: 'x', truncated: true }), Object.assign(new Error('wrapped'), { cause: system('EPIPE') })]) {
    t.true(isTransient(error), String(error));
  }
});

test('client errors, checksum and size mismatches, disk errors and unknown errors are final', (t) => {
  for (const error of [http(400), http(401), http(403), http(404), system('ENOSPC'), system('EACCES'), new Error('x'), undefined,
    new SizeMismatchError({ expected: 10, actual: 50, what: 'x' }), new ChecksumMismatchError({ algorithm: 'md5', expected: 'a', actual: 'b', file: 'f' })]) {
    t.false(isTransient(error), String(error));
  }
});

test('URL failures: refused, unknown host, no answer, 404', (t) => {
  for (const error of [system('ECONNREFUSED'), system('ENOTFOUND'), new ConnectTimeoutError('h:443', 1000), new DownloadTimeoutError({ timeoutMs: 1, url: 'http://h/' }), http(404)]) t.true(isUrlFailure(error));
  for (const error of [system('ECONNRESET'), http(503), http(403)]) t.false(isUrlFailure(error));
});

test('backoff doubles with jitter, is capped, and honours a longer Retry-After', (t) => {
  const fixed = { baseMs: 1000, maxMs: 60_000, random: () => 0.5 };
  t.deepEqual([1, 2, 3, 4].map((attempt) => backoffMs(attempt, undefined, fixed)), [1000, 2000, 4000, 8000]);
  t.is(backoffMs(20, undefined, fixed), 60_000);
  t.is(backoffMs(1, undefined, { ...fixed, random: () => 0 }), 800);
  t.is(backoffMs(1, undefined, { ...fixed, random: () => 1 }), 1200);
  t.is(backoffMs(1, http(503, 30_000), fixed), 30_000);
  t.is(backoffMs(1, http(503, 3_600_000), fixed), 60_000);
});

test('Retry-After: seconds or an HTTP date', (t) => {
  t.is(parseRetryAfter('120'), 120_000);
  t.is(parseRetryAfter(new Date(10_000 + 5000).toUTCString(), 10_000), 5000);
  t.is(parseRetryAfter('soon'), undefined);
  t.is(parseRetryAfter(undefined), undefined);
});
