import test from 'ava';
import type { DownloadRequest, DownloadResult } from '../../../src/download/index.js';
import { DownloadBound } from '../../../src/fleet/download-bound.js';

const request = (name: string): DownloadRequest => ({ urls: ['http://127.0.0.1:9/x'], filename: name, directory: '/nowhere', size: 1, hashes: {} });

/** A downloader whose downloads end when the test says so. */
function gatedDownloader() {
  const running: { name: string; finish: () => void }[] = [];
  const downloader = {
    download: (req: DownloadRequest): Promise<DownloadResult> =>
      new Promise((resolve) => {
        running.push({ name: req.filename, finish: () => resolve({ path: req.filename, size: 1, verified: {}, reused: false, bytesFetched: 1 }) });
      }),
  };
  return { downloader, running };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('no more than the limit of whole downloads at once, the waiting ones in their order', async (t) => {
  const bound = new DownloadBound(2);
  const { downloader, running } = gatedDownloader();
  const wrapped = bound.wrap(downloader);
  const results = ['a', 'b', 'c', 'd'].map((name) => wrapped.download(request(name)));
  await tick();
  t.deepEqual(running.map((entry) => entry.name), ['a', 'b']);
  t.is(bound.running, 2);
  t.is(bound.waiting, 2);
  running[1]!.finish();
  await tick();
  t.deepEqual(running.map((entry) => entry.name), ['a', 'b', 'c']);
  running[0]!.finish();
  running[2]!.finish();
  await tick();
  running[3]!.finish();
  t.deepEqual((await Promise.all(results)).map((result) => result.path), ['a', 'b', 'c', 'd']);
  t.is(bound.running, 0);
});

test('a waiting download aborted leaves the queue with its signal reason; a failed one gives its place back', async (t) => {
  const bound = new DownloadBound(1);
  let fail = true;
  const wrapped = bound.wrap({
    download: async (req) => {
      if (fail) throw new Error(`${req.filename} failed`);
      return { path: req.filename, size: 1, verified: {}, reused: false, bytesFetched: 1 };
    },
  });
  const stop = new AbortController();
  const first = wrapped.download(request('a'));
  const waiting = wrapped.download(request('b'), { signal: stop.signal });
  t.is(bound.waiting, 1);
  stop.abort(new Error('stopped'));
  await t.throwsAsync(waiting, { message: 'stopped' });
  t.is(bound.waiting, 0);
  await t.throwsAsync(first, { message: 'a failed' });
  fail = false;
  t.is((await wrapped.download(request('c'))).path, 'c');
  await t.throwsAsync(wrapped.download(request('d'), { signal: AbortSignal.abort(new Error('already')) }), { message: 'already' });
  t.is(bound.running, 0);
});
