import test from 'ava';
import { DownloadHttpError, DownloadStalledError, DownloadTimeoutError, SizeMismatchError, ChecksumMismatchError } from '../../../src/download/index.js';
import { ConnectTimeoutError } from '../../../src/net/index.js';
import { RETRY_POLICIES, retryDelayMs } from '../../../src/net/index.js';
import { downloadRetryAfterMs, isTransient, isUrlFailure } from '../../../src/download/transient.js';

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
  const policy = { ...RETRY_POLICIES.download, minDelayMs: 1000, maxDelayMs: 60_000 };
  const backoff = (attempt: number, error: unknown, random = () => 0.5) => retryDelayMs(policy, attempt - 1, downloadRetryAfterMs(error), random);
  t.deepEqual([1, 2, 3, 4].map((attempt) => backoff(attempt, undefined)), [1000, 2000, 4000, 8000]);
  t.is(backoff(20, undefined), 60_000);
  t.is(backoff(1, undefined, () => 0), 800);
  t.is(backoff(1, undefined, () => 1), 1200);
  t.is(backoff(1, http(503, 30_000)), 30_000);
  t.is(backoff(1, http(503, 3_600_000)), 60_000);
  t.is(downloadRetryAfterMs(system('ECONNRESET')), undefined);
});
