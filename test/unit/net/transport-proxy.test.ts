import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { DdiClient, isDdiNetworkError } from '../../../src/ddi/index.js';
import { createTransport, type TransportOptions } from '../../../src/net/index.js';
import { FakeHawkbit } from '../../fakes/hawkbit/index.js';
import { makePki, startHttpsDdi, type DdiHttpsServer, type Pki } from '../../helpers/tls-fixture.js';

const PROXY_USER = 'proxyuser';
const PROXY_PASSWORD = 'pr0xy-s3cret';

interface Seen {
  readonly method: string;
  readonly target: string;
  readonly auth: string | undefined;
  readonly sawTargetAuthorization: boolean;
}

/** A tiny forward proxy: absolute-form requests for http, CONNECT tunnels for https; basic auth required. */
async function startProxy() {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const expected = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;
  const note = (req: IncomingMessage) => {
    seen.push({ method: req.method ?? '', target: req.url ?? '', auth: req.headers['proxy-authorization'], sawTargetAuthorization: req.headers.authorization !== undefined });
    return req.headers['proxy-authorization'] === expected;
  };
  const server = createServer((req, res) => {
    if (!note(req)) return void res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
    const url = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (!note(req)) return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    url: (user = PROXY_USER, password = PROXY_PASSWORD) => `http://${user}:${password}@127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

let pki: Pki;
let https: DdiHttpsServer;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let hb: FakeHawkbit;

test.before(async () => {
  pki = makePki();
  https = await startHttpsDdi(pki);
  proxy = await startProxy();
  hb = await FakeHawkbit.start({ pollingSleep: '00:00:07' });
  hb.addTarget('dev-1', { token: 'tt-over-proxy' });
});

test.after.always(async () => {
  await https?.close();
  await proxy?.close();
  await hb?.close();
  pki?.cleanup();
});

function client(t: ExecutionContext, server: string, ssl: boolean, options: TransportOptions) {
  const transport = createTransport(options);
  t.teardown(() => transport.destroy());
  return new DdiClient({ server, ssl, tenant: 'DEFAULT', controllerId: 'dev-1', auth: { kind: 'target-token', token: 'tt-over-proxy' }, transport, retry: { retries: 0 } });
}

test.serial('https through the proxy key: a CONNECT tunnel with basic auth; the proxy never sees the Authorization header', async (t) => {
  const before = proxy.seen.length;
  const result = await client(t, https.hostPort, true, { caFile: pki.caFile, proxy: proxy.url(), env: {} }).poll();
  t.is(result.sleepMs, 42_000);
  const seen = proxy.seen.slice(before);
  t.is(seen.length, 1);
  t.is(seen[0]!.method, 'CONNECT');
  t.is(seen[0]!.target, https.hostPort);
  t.is(seen[0]!.auth, `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`);
  t.false(seen[0]!.sawTargetAuthorization);
});

test.serial('https through HTTPS_PROXY from the environment, and NO_PROXY bypasses it', async (t) => {
  const before = proxy.seen.length;
  await client(t, https.hostPort, true, { caFile: pki.caFile, env: { HTTPS_PROXY: proxy.url() } }).poll();
  t.is(proxy.seen.length, before + 1);
  await client(t, https.hostPort, true, { caFile: pki.caFile, env: { HTTPS_PROXY: proxy.url(), NO_PROXY: 'localhost,127.0.0.1' } }).poll();
  t.is(proxy.seen.length, before + 1, 'NO_PROXY host went direct');
});

test.serial('http through HTTP_PROXY uses the absolute-form request target, also for plain http.request', async (t) => {
  const before = proxy.seen.length;
  const result = await client(t, hb.hostPort, false, { env: { http_proxy: proxy.url() } }).poll();
  t.is(result.sleepMs, 7_000);
  const seen = proxy.seen.slice(before);
  t.deepEqual(seen.map((s) => [s.method, s.target]), [['GET', `${hb.url}/DEFAULT/controller/v1/dev-1`]]);
  const transport = createTransport({ env: { http_proxy: proxy.url() } });
  t.teardown(() => transport.destroy());
  const status = await new Promise<number | undefined>((resolve, reject) => {
    request(`${hb.url}/DEFAULT/controller/v1/dev-1`, { agent: transport.httpAgent, headers: { authorization: 'TargetToken tt-over-proxy' } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject).end();
  });
  t.is(status, 200);
  t.is(proxy.seen.at(-1)!.target, `${hb.url}/DEFAULT/controller/v1/dev-1`);
});

test.serial('wrong proxy credentials: a proxy error that never shows the password', async (t) => {
  const error = await t.throwsAsync(client(t, https.hostPort, true, { caFile: pki.caFile, proxy: proxy.url(PROXY_USER, 'wrong-pass-999'), env: {} }).poll());
  t.true(isDdiNetworkError(error) && error.kind === 'proxy', String(error));
  t.regex(error!.message, /407/);
  t.false(error!.message.includes('wrong-pass-999'));
});

test.serial('connect timeout applies to a proxy that never answers CONNECT', async (t) => {
  const silent = createServer();
  silent.on('connect', () => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    silent.closeAllConnections();
    silent.close();
  });
  const port = (silent.address() as AddressInfo).port;
  const error = await t.throwsAsync(client(t, https.hostPort, true, { proxy: `http://127.0.0.1:${port}`, connectTimeoutMs: 300, env: {} }).poll());
  t.true(isDdiNetworkError(error) && error.kind === 'timeout', String(error));
  t.regex(error!.message, /connect_timeout/);
});
