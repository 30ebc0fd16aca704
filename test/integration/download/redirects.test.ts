import test from 'ava';
import { isDownloadHttpError } from '../../../src/download/index.js';
import { createTransport } from '../../../src/net/index.js';
import { testFile } from './fault-server.js';
import { downloader, faultServer, requestFor, sameContent, tempDir } from './setup.js';

const AUTH = { Authorization: 'TargetToken secret-token-1' };

test('a redirect to another origin drops the caller headers', async (t) => {
  const [first, second, directory] = await Promise.all([faultServer(t), faultServer(t), tempDir(t)]);
  const file = testFile(100_000);
  const target = second.serve('/blob', file.data);
  const url = first.script('/a', [{ kind: 'redirect', location: target }]);
  const result = await downloader().download(requestFor(file, url, directory, { headers: AUTH }));
  t.is(first.requests[0]?.headers.authorization, AUTH.Authorization);
  t.is(second.requests.length, 1);
  t.is(second.requests[0]?.headers.authorization, undefined);
  t.true(await sameContent(result.path, file));
});

test('a redirect within the same origin keeps the caller headers', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(100_000);
  server.serve('/blob', file.data);
  const url = server.script('/a', [{ kind: 'redirect', location: '/blob' }]);
  const result = await downloader().download(requestFor(file, url, directory, { headers: AUTH }));
  t.deepEqual(server.requests.map((r) => [r.path, r.headers.authorization]), [
    ['/a', AUTH.Authorization],
    ['/blob', AUTH.Authorization],
  ]);
  t.true(await sameContent(result.path, file));
});

test('a resume after a cut starts again at the first URL and follows the redirect with Range', async (t) => {
  const [first, second, directory] = await Promise.all([faultServer(t), faultServer(t), tempDir(t)]);
  const file = testFile(300_000);
  const target = second.serve('/blob', file.data, [{ kind: 'cut', at: 100_000 }]);
  const url = first.script('/a', [{ kind: 'redirect', location: target }, { kind: 'redirect', location: target }]);
  const result = await downloader().download(requestFor(file, url, directory, { headers: AUTH }));
  t.is(first.requests.length, 2);
  t.deepEqual(second.requests.map((r) => [r.headers.range, r.headers.authorization]), [
    [undefined, undefined],
    ['bytes=100000-', undefined],
  ]);
  t.true(await sameContent(result.path, file));
});

test('redirects are bounded', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(1000);
  const url = server.script('/loop', Array.from({ length: 20 }, () => ({ kind: 'redirect', location: '/loop' }) as const));
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, directory)));
  t.true(isDownloadHttpError(error) && error.status === 302, String(error));
  t.is(server.requests.length, 11);
});

test('headers are sent only as given: none unless the caller passes them', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(1000);
  const url = server.serve('/a', file.data);
  await downloader().download(requestFor(file, url, directory));
  t.is(server.requests[0]?.headers.authorization, undefined);
  t.is(server.requests[0]?.headers['accept-encoding'], 'identity');
});

test('query strings of URLs never reach error messages', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(1000);
  const url = `${server.script('/signed', [{ kind: 'status', status: 403 }])}?X-Amz-Signature=topsecret`;
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, directory)));
  t.true(isDownloadHttpError(error) && error.status === 403);
  t.notRegex(error?.message ?? '', /topsecret/);
  t.regex(error?.message ?? '', /\/signed/);
});

test('works over the keep-alive agents of the shared transport (src/net)', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const transport = createTransport({ env: {} });
  t.teardown(() => transport.destroy());
  const file = testFile(200_000);
  const url = server.serve('/a', file.data, [{ kind: 'cut', at: 50_000 }]);
  const result = await downloader({ httpAgent: transport.httpAgent, httpsAgent: transport.httpsAgent }).download(requestFor(file, url, directory));
  t.is(server.requests.length, 2);
  t.true(await sameContent(result.path, file));
});
