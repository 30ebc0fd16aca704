/**
 * The DDI client under network faults, over real sockets: DNS failure, connection refused and the
 * server coming up later, a body cut off mid-JSON, 500/503 storms, a slow-loris server. Every failure
 * is typed, and request counts prove the retries are bounded (no spinning).
 */
import test, { type ExecutionContext } from 'ava';
import { DdiClient, isDdiHttpError, isDdiNetworkError, isDdiProtocolError, type DdiClientOptions } from '../../../src/ddi/index.js';
import { createTransport } from '../../../src/net/index.js';
import { FakeHawkbit } from '../../fakes/hawkbit/index.js';
import { RawLog } from '../../contract/ddi/msw-harness.js';
import { freePort, RawHttpServer, type Misbehaviour } from './raw-http-server.js';

const TOKEN = 'faults-token-8c3b';
/** Quick retries, so a storm would show as many requests within the test. */
const RETRIES = 2;
const RETRY = { retries: RETRIES, minDelayMs: 5, maxDelayMs: 50, factor: 2, jitter: 0, maxElapsedMs: 30_000 } as const;
const PARTIAL_JSON = '{"config":{"polling":{"sleep":"00:0';

function client(t: ExecutionContext, hostPort: string, options: Partial<DdiClientOptions> = {}): { ddi: DdiClient; log: RawLog } {
  const transport = createTransport({ env: {}, connectTimeoutMs: 10_000 });
  t.teardown(() => transport.destroy());
  const log = new RawLog();
  const ddi = new DdiClient({
    server: hostPort, ssl: false, tenant: 'DEFAULT', controllerId: 'dev-1', auth: { kind: 'target-token', token: TOKEN },
    transport, log, retry: RETRY, timeoutMs: 20_000, ...options,
  });
  return { ddi, log };
}

const retryLines = (log: RawLog) => log.lines.filter((line) => /; retry \d+ in /.test(line));

async function rawServer(t: ExecutionContext, misbehave: Misbehaviour): Promise<RawHttpServer> {
  const server = await RawHttpServer.start(misbehave);
  t.teardown(() => server.close());
  return server;
}

test('DNS failure (nonexistent.invalid): a DdiNetworkError of kind dns naming the host; retries bounded', async (t) => {
  const { ddi, log } = client(t, 'nonexistent.invalid:8080');
  const error = await t.throwsAsync(ddi.poll());
  t.true(isDdiNetworkError(error) && error.kind === 'dns', String(error));
  t.regex(error!.message, /nonexistent\.invalid/);
  t.regex(error!.message, /DNS/);
  t.is(retryLines(log).length, RETRIES);
});

test('connection refused at start: a typed error with bounded retries; once the server is up the next call succeeds', async (t) => {
  const port = await freePort();
  const { ddi, log } = client(t, `127.0.0.1:${port}`);
  const refused = await t.throwsAsync(ddi.poll());
  t.true(isDdiNetworkError(refused) && refused.kind === 'refused', String(refused));
  t.regex(refused!.message, /connection refused/);
  t.is(retryLines(log).length, RETRIES);

  const hb = await FakeHawkbit.start({ port, pollingSleep: '00:00:07' });
  t.teardown(() => hb.close());
  hb.addTarget('dev-1', { token: TOKEN });
  t.is((await ddi.poll()).sleepMs, 7_000);
  t.is(hb.requests.length, 1);
});

test('server closes mid-JSON (Content-Length not reached): a DdiNetworkError of kind reset; retried a bounded number of times', async (t) => {
  const server = await rawServer(t, (socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n${PARTIAL_JSON}`);
    setTimeout(() => socket.destroy(), 20);
  });
  const { ddi } = client(t, server.hostPort);
  const error = await t.throwsAsync(ddi.poll());
  t.true(isDdiNetworkError(error) && error.kind === 'reset', String(error));
  t.is(server.requests, RETRIES + 1);
});

test('server closes mid-JSON (chunked, no last chunk): a typed DdiNetworkError; bounded', async (t) => {
  const server = await rawServer(t, (socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${PARTIAL_JSON.length.toString(16)}\r\n${PARTIAL_JSON}\r\n`);
    setTimeout(() => socket.destroy(), 20);
  });
  const { ddi } = client(t, server.hostPort);
  const error = await t.throwsAsync(ddi.poll());
  t.true(isDdiNetworkError(error), String(error));
  t.is(server.requests, RETRIES + 1);
});

test('server closes mid-JSON where the close ends the body (no length): a DdiProtocolError, not retried', async (t) => {
  const server = await rawServer(t, (socket) => {
    socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${PARTIAL_JSON}`);
  });
  const { ddi } = client(t, server.hostPort);
  const error = await t.throwsAsync(ddi.poll());
  t.true(isDdiProtocolError(error), String(error));
  t.regex(error!.message, /truncated JSON/);
  t.is(server.requests, 1);
});

test('a 503 storm: each poll makes exactly retries + 1 requests, fails with a DdiHttpError; after the storm a poll succeeds', async (t) => {
  const hb = await FakeHawkbit.start({ pollingSleep: '00:00:09' });
  t.teardown(() => hb.close());
  hb.addTarget('dev-1', { token: TOKEN });
  const polls = 4;
  hb.failNext(polls * (RETRIES + 1), 503);
  const { ddi } = client(t, hb.hostPort);
  for (let i = 0; i < polls; i++) {
    const error = await t.throwsAsync(ddi.poll());
    t.true(isDdiHttpError(error) && error.status === 503, String(error));
  }
  t.is(hb.requests.length, polls * (RETRIES + 1));
  t.is((await ddi.poll()).sleepMs, 9_000);
  t.is(hb.requests.length, polls * (RETRIES + 1) + 1);
});

test('a 500 storm with a long Retry-After: no retries at all, the error carries the wait', async (t) => {
  const hb = await FakeHawkbit.start();
  t.teardown(() => hb.close());
  hb.addTarget('dev-1', { token: TOKEN });
  hb.failNext(100, 500, { retryAfter: 600 });
  const { ddi } = client(t, hb.hostPort);
  for (let i = 0; i < 3; i++) {
    const error = await t.throwsAsync(ddi.poll());
    t.true(isDdiHttpError(error) && error.status === 500 && error.retryAfterMs === 600_000, String(error));
  }
  t.is(hb.requests.length, 3);
});

test('slow loris (headers, then nothing): the request timeout fires with a typed error; bounded', async (t) => {
  const server = await rawServer(t, (socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
  });
  // Timeouts are retried like other network failures: two attempts, two connections, then the error.
  const { ddi } = client(t, server.hostPort, { timeoutMs: 1_000, retry: { ...RETRY, retries: 1 } });
  const error = await t.throwsAsync(ddi.poll());
  t.true(isDdiNetworkError(error) && error.kind === 'timeout', String(error));
  t.regex(error!.message, /no complete answer within 1 s \(timeout\)/);
  t.is(server.connections, 2);
  t.true(server.requests <= 2);
});

test('a server that accepts and never answers: the request timeout fires with a typed error', async (t) => {
  const server = await rawServer(t, () => undefined);
  const { ddi } = client(t, server.hostPort, { timeoutMs: 1_000, retry: { ...RETRY, retries: 0 } });
  const error = await t.throwsAsync(ddi.poll());
  t.true(isDdiNetworkError(error) && error.kind === 'timeout', String(error));
  t.is(server.connections, 1);
});
