/**
 * API calls and downloads through a real proxy server: Debian's tinyproxy on loopback (started here),
 * with basic auth, as an http:// proxy and — behind a TLS front — as an https:// proxy. Asserts what
 * tinyproxy logged receiving and what the fake hawkBit received, and that a refusing or absent proxy
 * fails with an error naming the proxy and never its password.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { DdiClient, isDdiNetworkError } from '../../../src/ddi/index.js';
import { Downloader } from '../../../src/download/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { createTransport, type TransportOptions } from '../../../src/net/index.js';
import { FakeHawkbit } from '../../fakes/hawkbit/index.js';
import { startTlsFront, Tinyproxy, type ProxiedRequest } from '../../harness/tinyproxy.js';
import { configText } from '../../helpers/config-text.js';
import { runCli } from '../../helpers/run-cli.js';
import { makePki, type Pki } from '../../helpers/tls-fixture.js';

const TOKEN = 'proxy-target-token-81c4';
const USER = 'fleet-proxy';
const PASSWORD = 'pr0xy-pa55-7f3e';
const CREDENTIALS = { user: USER, password: PASSWORD };

let pki: Pki;
let secure: FakeHawkbit;
let plain: FakeHawkbit;
let mutual: FakeHawkbit;
let proxy: Tinyproxy;
let refusing: Tinyproxy;
let front: Awaited<ReturnType<typeof startTlsFront>>;
const dir = mkdtempSync(join(tmpdir(), 'hr-real-proxy-'));

test.before(async () => {
  pki = makePki();
  [secure, plain, mutual, proxy, refusing] = await Promise.all([
    FakeHawkbit.start({ pollingSleep: '00:00:42', tls: { key: pki.serverKey, cert: pki.serverCert } }),
    FakeHawkbit.start({ pollingSleep: '00:00:43' }),
    FakeHawkbit.start({ pollingSleep: '00:00:44', tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.clientCa, requestCert: true } }),
    Tinyproxy.start({ auth: CREDENTIALS }),
    // Tunnels only to port 443: CONNECT to the fake's port is refused (403).
    Tinyproxy.start({ connectPorts: [443] }),
  ]);
  for (const server of [secure, plain, mutual]) server.addTarget('dev-1', { token: TOKEN });
  secure.addTarget('cli-dev', { token: TOKEN });
  front = await startTlsFront(proxy.port, { key: pki.serverKey, cert: pki.serverCert });
});

test.after.always(async () => {
  await Promise.all([secure?.close(), plain?.close(), mutual?.close(), proxy?.stop(), refusing?.stop(), front?.close()]);
  pki?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function setup(t: ExecutionContext, server: FakeHawkbit, ssl: boolean, options: TransportOptions) {
  const transport = createTransport({ connectTimeoutMs: 10_000, ...options });
  t.teardown(() => transport.destroy());
  const client = new DdiClient({
    server: server.hostPort, ssl, tenant: 'DEFAULT', controllerId: 'dev-1', auth: { kind: 'target-token', token: TOKEN }, transport, retry: { retries: 0 }, timeoutMs: 20_000,
  });
  return { transport, client };
}

/** Polls, fetches a fresh deployment and downloads its artifact through `transport`; returns the artifact URL. */
async function pollAndDownload(t: ExecutionContext, server: FakeHawkbit, setupResult: ReturnType<typeof setup>): Promise<string> {
  const content = Buffer.from(`bundle bytes for ${server.url} ${Math.random()}`.repeat(2000));
  server.target('dev-1')!.pushDeployment({ type: 'forced', chunks: [{ name: 'os', version: '2', artifacts: [{ filename: 'update.raucb', content }] }] });
  const poll = await setupResult.client.poll();
  const deployment = await poll.deployment!.fetch();
  const artifact = deployment.chunks[0]!.artifacts[0]!;
  const url = artifact.links.download ?? artifact.links.downloadHttp!;
  const directory = mkdtempSync(join(dir, 'dl-'));
  const downloader = new Downloader({
    log: silentLogger(), httpAgent: setupResult.transport.httpAgent, httpsAgent: setupResult.transport.httpsAgent,
    connectTimeoutMs: 10_000, lowSpeedTimeMs: 0, lowSpeedRate: 0, speedLimit: 0, resume: true, retries: 0, allowUnverified: false,
  });
  const result = await downloader.download({
    urls: [url], filename: 'update.raucb', directory, size: artifact.size, hashes: artifact.hashes, headers: setupResult.client.downloadHeaders(),
  });
  t.true(readFileSync(result.path).equals(content), 'the downloaded bytes are the artifact');
  return url;
}

test.serial('https API calls and the download go through a CONNECT tunnel of tinyproxy, with proxy auth (proxy key)', async (t) => {
  const before = proxy.requests.length;
  const served = secure.requests.length;
  const url = await pollAndDownload(t, secure, setup(t, secure, true, { caFile: pki.caFile, proxy: proxy.url(CREDENTIALS), env: {} }));
  const seen = (await proxy.requestsWhen((requests) => requests.length > before)).slice(before);
  t.true(seen.length >= 1);
  t.deepEqual([...new Set(seen.map((r) => `${r.method} ${r.target}`))], [`CONNECT ${secure.hostPort}`], 'only tunnels, to the server');
  t.true(url.startsWith(`https://${secure.hostPort}/`));
  t.true(secure.requests.slice(served).some((r) => r.path.endsWith('/artifacts/update.raucb')), 'the server got the download through the tunnel');
});

test.serial('plain http API calls and the download go through tinyproxy as absolute-form requests (http_proxy)', async (t) => {
  const before = proxy.requests.length;
  const url = await pollAndDownload(t, plain, setup(t, plain, false, { env: { http_proxy: proxy.url(CREDENTIALS) } }));
  const logged = await proxy.requestsWhen((requests) => requests.slice(before).some((r) => r.target === url));
  const seen = logged.slice(before).map((r) => `${r.method} ${r.target}`);
  t.true(seen.includes(`GET ${plain.url}/DEFAULT/controller/v1/dev-1`), seen.join('\n'));
  t.true(seen.includes(`GET ${url}`), seen.join('\n'));
  t.false(seen.some((line) => line.startsWith('CONNECT')));
});

test.serial('an https:// proxy (TLS to the proxy, verified with ca_file): https and http targets', async (t) => {
  const handshakes = front.handshakes();
  const before = proxy.requests.length;
  const https = setup(t, secure, true, { caFile: pki.caFile, env: { HTTPS_PROXY: front.url(`${USER}:${PASSWORD}`), http_proxy: front.url(`${USER}:${PASSWORD}`) } });
  t.is((await https.client.poll()).sleepMs, 42_000);
  const http = setup(t, plain, false, { caFile: pki.caFile, env: { http_proxy: front.url(`${USER}:${PASSWORD}`) } });
  t.is((await http.client.poll()).sleepMs, 43_000);
  t.true(front.handshakes() >= handshakes + 2, 'both went over TLS to the proxy');
  const logged = await proxy.requestsWhen((requests) => requests.length >= before + 2);
  t.deepEqual(logged.slice(before).map((r) => `${r.method} ${r.target}`), [`CONNECT ${secure.hostPort}`, `GET ${plain.url}/DEFAULT/controller/v1/dev-1`]);
});

test.serial('an https:// proxy whose certificate is not trusted: a TLS error naming the proxy', async (t) => {
  const { client } = setup(t, secure, true, { env: { HTTPS_PROXY: front.url() } });
  const error = await t.throwsAsync(client.poll());
  t.true(isDdiNetworkError(error) && error.kind === 'tls', String(error));
  t.regex(error!.message, new RegExp(`proxy ${front.url().replace(/[/.]/g, '\\$&')}`));
});

test.serial('mTLS through the tunnel: the client certificate reaches the server, not the proxy', async (t) => {
  const before = mutual.connections.tlsHandshakes;
  const logged = proxy.requests.length;
  const { client } = setup(t, mutual, true, { caFile: pki.caFile, sslKey: pki.clientKeyFile, sslCert: pki.clientCertFile, proxy: proxy.url(CREDENTIALS), env: {} });
  t.is((await client.poll()).sleepMs, 44_000);
  t.true(mutual.connections.tlsHandshakes > before);
  t.is((await proxy.requestsWhen((requests) => requests.length > logged)).at(-1)?.target, mutual.hostPort);
});

test.serial('NO_PROXY sends the server direct, also with the proxy key', async (t) => {
  const before = proxy.requests.length;
  await setup(t, secure, true, { caFile: pki.caFile, proxy: proxy.url(CREDENTIALS), env: { NO_PROXY: 'example.com, 127.0.0.1' } }).client.poll();
  await setup(t, plain, false, { env: { http_proxy: proxy.url(CREDENTIALS), no_proxy: `127.0.0.1:${plain.hostPort.split(':')[1]}` } }).client.poll();
  t.is(proxy.requests.length, before, 'tinyproxy saw nothing');
});

test.serial('no proxy credentials: 407 from tinyproxy for tunnels and plain requests, an error naming the proxy', async (t) => {
  for (const [server, ssl] of [[secure, true], [plain, false]] as const) {
    const served = server.requests.length;
    const error = await t.throwsAsync(setup(t, server, ssl, { caFile: pki.caFile, proxy: proxy.url(), env: {} }).client.poll());
    t.true(isDdiNetworkError(error) && error.kind === 'proxy', String(error));
    t.true(error!.message.includes(`proxy http://127.0.0.1:${proxy.port} refused`), error!.message);
    t.regex(error!.message, /407 Proxy Authentication Required \(check the user and password in the proxy URL\)/);
    t.is(server.requests.length, served, 'nothing reached the server');
  }
});

test.serial('wrong proxy credentials on a tunnel: tinyproxy answers 401; an error naming the proxy and not the password', async (t) => {
  const wrong = { user: USER, password: 'wrong-secret-4411' };
  const error = await t.throwsAsync(setup(t, secure, true, { caFile: pki.caFile, proxy: proxy.url(wrong), env: {} }).client.poll());
  t.true(isDdiNetworkError(error) && error.kind === 'proxy', String(error));
  t.true(error!.message.includes(`proxy http://127.0.0.1:${proxy.port} (with credentials) refused to open a tunnel to ${secure.hostPort}: 401`), error!.message);
  t.regex(error!.message, /check the user and password in the proxy URL/);
  t.false(JSON.stringify({ message: error!.message, cause: String(error!.cause) }).includes('wrong-secret-4411'));
});

test.serial('a proxy that refuses the tunnel (tinyproxy ConnectPort): 403, naming the proxy and the target', async (t) => {
  const served = secure.requests.length;
  const logged = refusing.requests.length;
  const error = await t.throwsAsync(setup(t, secure, true, { caFile: pki.caFile, env: { https_proxy: refusing.url() } }).client.poll());
  t.true(isDdiNetworkError(error) && error.kind === 'proxy', String(error));
  t.true(error!.message.includes(`proxy http://127.0.0.1:${refusing.port} refused to open a tunnel to ${secure.hostPort}: 403`), error!.message);
  t.is((await refusing.requestsWhen((requests) => requests.length > logged)).at(-1)?.method, 'CONNECT');
  t.is(secure.requests.length, served, "nothing reached the server; the proxy's answer was not taken for the server's");
});

test.serial('a proxy that is not there: connection refused, naming the proxy and not the password', async (t) => {
  const gone = await Tinyproxy.start();
  const url = `http://${USER}:${PASSWORD}@127.0.0.1:${gone.port}`;
  await gone.stop();
  const error = await t.throwsAsync(setup(t, secure, true, { caFile: pki.caFile, proxy: url, env: {} }).client.poll());
  t.true(isDdiNetworkError(error) && error.kind === 'refused', String(error));
  t.true(error!.message.includes(`proxy http://127.0.0.1:${gone.port} (with credentials) failed on the way to ${secure.hostPort}`), error!.message);
  t.false(error!.message.includes(PASSWORD));
});

test.serial('proxy = https://… is accepted by --check-config (password redacted) and by the service (run once through it)', async (t) => {
  const file = join(dir, 'https-proxy.conf');
  const stateDir = join(dir, 'state');
  writeFileSync(file, configText({
    client: {
      hawkbit_server: secure.hostPort, ca_file: pki.caFile, tenant_id: 'DEFAULT', target_name: 'cli-dev', auth_token: TOKEN, state_dir: stateDir,
      bundle_download_location: join(dir, 'b.raucb'), proxy: front.url(`${USER}:${PASSWORD}`),
    },
  }), { mode: 0o600 });
  const check = await runCli(['-c', file, '--check-config']);
  t.is(check.code, 0, check.stderr);
  t.true(check.stdout.includes(`proxy = https://${USER}:<redacted>@127.0.0.1:${front.url().split(':')[2]}`), check.stdout);
  const before = proxy.requests.length;
  const run = await runCli(['-c', file, '-r'], { env: { DBUS_STARTER_BUS_TYPE: 'session', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' } });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /run once: nothing to do/);
  const tunnel = (r: ProxiedRequest) => r.method === 'CONNECT' && r.target === secure.hostPort;
  t.true((await proxy.requestsWhen((requests) => requests.slice(before).some(tunnel))).slice(before).some(tunnel));
  t.false(`${check.stdout}${check.stderr}${run.stdout}${run.stderr}`.includes(PASSWORD));
});
