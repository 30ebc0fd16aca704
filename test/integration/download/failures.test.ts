import { access } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import test from 'ava';
import {
  isChecksumMismatchError,
  isDownloadFailedError,
  isDownloadHttpError,
  isDownloadStalledError,
  isDownloadTimeoutError,
  isInsufficientSpaceError,
  isSizeMismatchError,
  isUnverifiedDownloadError,
} from '../../../src/download/index.js';
import { testFile } from './fault-server.js';
import { downloader, faultServer, listDir, requestFor, sameContent, tempDir } from './setup.js';

const MiB = 1024 * 1024;

test('503 then OK: retried after the wait and verified', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(MiB);
  const url = server.serve('/a', file.data, [{ kind: 'status', status: 503, headers: { 'retry-after': '0' } }]);
  const result = await downloader().download(requestFor(file, url, directory));
  t.deepEqual(server.requests.map((r) => r.behaviour), ['status', 'ok']);
  t.true(await sameContent(result.path, file));
});

test('retries are bounded: DownloadFailedError with the last failure as cause', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(1000);
  const status = { kind: 'status', status: 503 } as const;
  const url = server.serve('/a', file.data, [status, status, status, status]);
  const error = await t.throwsAsync(downloader({ retries: 2 }).download(requestFor(file, url, directory)));
  t.true(isDownloadFailedError(error), String(error));
  t.true(isDownloadHttpError(error?.cause) && error.cause.status === 503);
  t.is(server.requests.length, 3);
});

test('a stalled transfer is aborted (low speed) and resumed', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(2 * MiB);
  const url = server.serve('/a', file.data, [{ kind: 'stall', at: MiB / 2 }]);
  // A window far longer than a local exchange takes even on a loaded machine: only the scripted stall trips it.
  const result = await downloader({ lowSpeedTimeMs: 1500, lowSpeedRate: 1000 }).download(requestFor(file, url, directory));
  t.is(server.requests.length, 2);
  t.is(server.requests[1]?.headers.range, `bytes=${MiB / 2}-`);
  t.is(result.bytesFetched, file.data.length);
  t.true(await sameContent(result.path, file));
});

test('a stall with no retries left fails with DownloadStalledError as cause and keeps the part', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(MiB);
  const url = server.serve('/a', file.data, [{ kind: 'stall', at: 1000 }]);
  const error = await t.throwsAsync(downloader({ retries: 0, lowSpeedTimeMs: 200, lowSpeedRate: 1000 }).download(requestFor(file, url, directory)));
  t.true(isDownloadFailedError(error));
  t.true(isDownloadStalledError(error?.cause));
  t.deepEqual(await listDir(directory), ['bundle.raucb.part']);
});

test('no response within the connect timeout → DownloadTimeoutError', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(1000);
  const url = server.serve('/a', file.data, [{ kind: 'hold' }]);
  const error = await t.throwsAsync(downloader({ retries: 0, connectTimeoutMs: 200 }).download(requestFor(file, url, directory)));
  t.true(isDownloadFailedError(error));
  t.true(isDownloadTimeoutError(error?.cause));
});

test('404 is not retried', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(1000);
  const url = server.script('/missing', [{ kind: 'status', status: 404 }]);
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, directory)));
  t.true(isDownloadHttpError(error) && error.status === 404, String(error));
  t.is(server.requests.length, 1);
});

test('the next URL is tried after a refused connection or a 404 before any byte', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(MiB);
  const refused = await closedPortUrl();
  const missing = server.script('/missing', [{ kind: 'status', status: 404 }]);
  const good = server.serve('/a', file.data);
  const result = await downloader({ retries: 0 }).download(requestFor(file, [refused, missing, good], directory));
  t.deepEqual(server.requests.map((r) => r.path), ['/missing', '/a']);
  t.true(await sameContent(result.path, file));
});

test('a wrong hash deletes the part and names the algorithm and both values', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(MiB);
  const url = server.serve('/a', file.data);
  const wrong = '0'.repeat(64);
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, directory, { hashes: { md5: file.md5, sha256: wrong } })));
  t.true(isChecksumMismatchError(error));
  if (!isChecksumMismatchError(error)) return;
  t.is(error.algorithm, 'sha256');
  t.is(error.expected, wrong);
  t.is(error.actual, file.sha256);
  t.deepEqual(await listDir(directory), []);
  t.is(server.requests.length, 1);
});

test('MD5 is checked too when SHA-256 matches', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(1000);
  const url = server.serve('/a', file.data);
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, directory, { hashes: { md5: 'f'.repeat(32), sha256: file.sha256 } })));
  t.true(isChecksumMismatchError(error) && error.algorithm === 'md5');
});

test('SHA-1 is used when it is the only strong hash given', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(1000);
  const url = server.serve('/a', file.data);
  const result = await downloader().download(requestFor(file, url, directory, { hashes: { sha1: file.sha1.toUpperCase() } }));
  t.deepEqual(result.verified, { sha1: file.sha1 });
});

test('no hash given: refused unless unverified downloads are allowed', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(1000);
  const url = server.serve('/a', file.data);
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, directory, { hashes: {} })));
  t.true(isUnverifiedDownloadError(error));
  t.is(server.requests.length, 0);
  const result = await downloader({ allowUnverified: true }).download(requestFor(file, url, directory, { hashes: {} }));
  t.deepEqual(result.verified, {});
  t.true(await sameContent(result.path, file));
});

test('a Content-Length other than the artifact size fails before anything is written', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(MiB);
  const url = server.serve('/a', file.data, [{ kind: 'content-length', value: 50 * 1024 ** 3 }]);
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, directory)));
  t.true(isSizeMismatchError(error), String(error));
  t.is(server.requests.length, 1);
  t.deepEqual(await listDir(directory), []);
});

test('a huge Content-Length for an artifact of unknown size fails the free-space check', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(MiB);
  const url = server.serve('/a', file.data, [{ kind: 'content-length', value: 2 ** 52 }]);
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, directory, { size: undefined })));
  t.true(isInsufficientSpaceError(error), String(error));
  t.regex(error?.message ?? '', new RegExp(`${2 ** 52} bytes required`));
});

test('more bytes than the artifact size: the transfer stops and the part is removed', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(2 * MiB);
  const url = server.serve('/a', file.data, [{ kind: 'chunked' }]);
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, directory, { size: MiB })));
  t.true(isSizeMismatchError(error), String(error));
  await t.throwsAsync(access(join(directory, 'bundle.raucb.part')));
});

/** A URL on a port nobody listens on (taken from the OS, then released). */
async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/a`;
}
