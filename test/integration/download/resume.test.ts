import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { testFile } from './fault-server.js';
import { downloader, faultServer, listDir, requestFor, sameContent, tempDir } from './setup.js';

const MiB = 1024 * 1024;

test('a cut at 50 % resumes with Range and fetches at most 1.02 × the size', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(4 * MiB);
  const url = server.serve('/a', file.data, [{ kind: 'cut', at: 2 * MiB }]);
  const result = await downloader().download(requestFor(file, url, directory));
  t.is(server.requests.length, 2);
  t.is(server.requests[0]?.headers.range, undefined);
  t.is(server.requests[1]?.headers.range, `bytes=${2 * MiB}-`);
  t.true(result.bytesFetched <= 1.02 * file.data.length, `fetched ${result.bytesFetched}`);
  t.true(server.bytesSent <= 1.02 * file.data.length, `sent ${server.bytesSent}`);
  t.deepEqual(result.verified, { md5: file.md5, sha256: file.sha256 });
  t.false(result.reused);
  t.is(result.path, join(directory, 'bundle.raucb'));
  t.true(await sameContent(result.path, file));
  t.deepEqual(await listDir(directory), ['bundle.raucb']);
});

test('several cuts in a row are each resumed where they stopped', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(3 * MiB + 123);
  const cuts = [MiB / 2, MiB + 7, 2 * MiB + 5000];
  const url = server.serve('/a', file.data, cuts.map((at) => ({ kind: 'cut', at })));
  const result = await downloader({ retries: 3 }).download(requestFor(file, url, directory));
  t.deepEqual(server.requests.map((r) => r.headers.range), [undefined, ...cuts.map((at) => `bytes=${at}-`)]);
  t.is(result.bytesFetched, file.data.length);
  t.true(await sameContent(result.path, file));
});

test('with resume off, every retry starts again from 0', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(2 * MiB);
  const url = server.serve('/a', file.data, [{ kind: 'cut', at: MiB }]);
  const result = await downloader({ resume: false }).download(requestFor(file, url, directory));
  t.deepEqual(server.requests.map((r) => r.headers.range), [undefined, undefined]);
  t.is(result.bytesFetched, file.data.length + MiB);
  t.true(await sameContent(result.path, file));
});

test('a server that ignores Range (200) makes the download start again from 0', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(2 * MiB);
  const url = server.serve('/a', file.data, [{ kind: 'cut', at: MiB }, { kind: 'ignore-range' }]);
  const result = await downloader().download(requestFor(file, url, directory));
  t.is(server.requests[1]?.headers.range, `bytes=${MiB}-`);
  t.is(result.bytesFetched, file.data.length + MiB);
  t.true(await sameContent(result.path, file));
});

test('an abort keeps the part file and a later call resumes it after re-hashing the bytes on disk', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(3 * MiB);
  const at = MiB + MiB / 2; // exactly 50 %: a progress report is due when the client has it all
  const url = server.serve('/a', file.data, [{ kind: 'stall', at }]);
  const controller = new AbortController();
  const reason = new Error('operator cancelled');
  const first = downloader().download(requestFor(file, url, directory), {
    signal: controller.signal,
    onProgress: ({ bytesDone }) => {
      if (bytesDone >= at) controller.abort(reason);
    },
  });
  const error = await t.throwsAsync(first);
  t.is(error, reason);
  t.deepEqual(await listDir(directory), ['bundle.raucb.part']);

  const result = await downloader().download(requestFor(file, url, directory));
  t.is(server.requests[1]?.headers.range, `bytes=${at}-`);
  t.is(result.bytesFetched, file.data.length - at);
  t.deepEqual(result.verified, { md5: file.md5, sha256: file.sha256 });
  t.true(await sameContent(result.path, file));
  t.deepEqual(await listDir(directory), ['bundle.raucb']);
});

test('an already aborted signal rejects with its reason before any request', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(1000);
  const url = server.serve('/a', file.data);
  const reason = new Error('stop');
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, directory), { signal: AbortSignal.abort(reason) }));
  t.is(error, reason);
  t.is(server.requests.length, 0);
});

test('a 416 for a part that already holds the whole file is success after hashing', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(MiB + 17);
  const url = server.serve('/a', file.data);
  await writeFile(join(directory, 'bundle.raucb.part'), file.data);
  const result = await downloader().download(requestFor(file, url, directory, { size: undefined }));
  t.is(server.requests.length, 1);
  t.is(server.requests[0]?.headers.range, `bytes=${file.data.length}-`);
  t.is(result.bytesFetched, 0);
  t.is(result.size, file.data.length);
  t.true(await sameContent(result.path, file));
});

test('a complete part of the known size is verified without a request', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(MiB);
  const url = server.serve('/a', file.data);
  await writeFile(join(directory, 'bundle.raucb.part'), file.data);
  const result = await downloader().download(requestFor(file, url, directory));
  t.is(server.requests.length, 0);
  t.false(result.reused);
  t.true(await sameContent(result.path, file));
});

test('a complete verified file is reused without a request; a different one is replaced', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(MiB + 1);
  const url = server.serve('/a', file.data);
  const first = await downloader().download(requestFor(file, url, directory));
  t.false(first.reused);
  const again = await downloader().download(requestFor(file, url, directory));
  t.true(again.reused);
  t.is(again.bytesFetched, 0);
  t.deepEqual(again.verified, { md5: file.md5, sha256: file.sha256 });
  t.is(server.requests.length, 1);

  await writeFile(first.path, Buffer.alloc(file.data.length, 1));
  const replaced = await downloader().download(requestFor(file, url, directory));
  t.false(replaced.reused);
  t.is(server.requests.length, 2);
  t.true(await sameContent(replaced.path, file));
});

test('progress is throttled, never goes past the total and ends at the total', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(4 * MiB);
  const url = server.serve('/a', file.data, [{ kind: 'cut', at: MiB }]);
  const seen: number[] = [];
  const started = performance.now();
  await downloader().download(requestFor(file, url, directory), {
    onProgress: ({ bytesDone, bytesTotal }) => {
      t.is(bytesTotal, file.data.length);
      seen.push(bytesDone);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  t.true(seen.length >= 2);
  t.true(seen.length <= 102 + Math.ceil(seconds), `${seen.length} reports`);
  t.is(seen.at(-1), file.data.length);
  t.true(seen.every((bytes) => bytes <= file.data.length));
});
