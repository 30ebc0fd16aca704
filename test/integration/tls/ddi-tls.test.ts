/**
 * The DDI client against the fake hawkBit served over https with per-run certificates: server
 * verification (ca_file, unknown CA, host name mismatch, ssl_verify=false) and mTLS (client certificate
 * presented, missing, from an unknown CA). Failures are typed, say what to set, and are not retried.
 */
import test, { type ExecutionContext } from 'ava';
import { DdiClient, isDdiNetworkError, type DdiClientOptions } from '../../../src/ddi/index.js';
import { createTransport, type TransportOptions } from '../../../src/net/index.js';
import { FakeHawkbit } from '../../fakes/hawkbit/index.js';
import { makePki, type Pki } from '../../helpers/tls-fixture.js';

const TOKEN = 'tls-target-token-5d1e';
/** A retry policy that would show a storm quickly if TLS failures were retried. */
const RETRY = { retries: 3, minDelayMs: 5, maxDelayMs: 50, jitter: 0, maxElapsedMs: 10_000 } as const;

let pki: Pki;
let plain: FakeHawkbit;
let otherHost: FakeHawkbit;
let mutual: FakeHawkbit;

test.before(async () => {
  pki = makePki();
  plain = await FakeHawkbit.start({ pollingSleep: '00:00:42', tls: { key: pki.serverKey, cert: pki.serverCert } });
  otherHost = await FakeHawkbit.start({ pollingSleep: '00:00:42', tls: { key: pki.otherHostKey, cert: pki.otherHostCert } });
  mutual = await FakeHawkbit.start({ pollingSleep: '00:00:42', tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.clientCa, requestCert: true } });
  plain.addTarget('dev-1', { token: TOKEN });
  otherHost.addTarget('dev-1', { token: TOKEN });
  // Real hawkBit sits behind an mTLS proxy that vouches for the device; the fake has no such proxy
  // and wants a credential, so the device sends its target token besides the certificate here.
  mutual.addTarget('dev-1', { token: TOKEN });
});

test.after.always(async () => {
  await Promise.all([plain?.close(), otherHost?.close(), mutual?.close()]);
  pki?.cleanup();
});

function client(t: ExecutionContext, server: FakeHawkbit, tls: TransportOptions, options: Partial<DdiClientOptions> = {}): DdiClient {
  const transport = createTransport({ env: {}, connectTimeoutMs: 10_000, ...tls });
  t.teardown(() => transport.destroy());
  return new DdiClient({
    server: server.hostPort, ssl: true, tenant: 'DEFAULT', controllerId: 'dev-1', transport, retry: RETRY, timeoutMs: 20_000,
    auth: { kind: 'target-token', token: TOKEN }, ...options,
  });
}

/** Counts of one server, to compare before and after a call. */
const counts = (server: FakeHawkbit) => ({ ...server.connections, requests: server.requests.length });

test.serial('a valid chain via ca_file: polls over https, and the links are https', async (t) => {
  const poll = await client(t, plain, { caFile: pki.caFile }).poll();
  t.is(poll.sleepMs, 42_000);
  t.is(plain.requests.at(-1)?.path, '/DEFAULT/controller/v1/dev-1');
  t.true(plain.url.startsWith('https://'));
});

test.serial('an unknown CA: a typed TLS error naming the problem and ca_file / ssl_verify; not retried', async (t) => {
  const before = counts(plain);
  const error = await t.throwsAsync(client(t, plain, {}).poll());
  t.true(isDdiNetworkError(error) && error.kind === 'tls', String(error));
  t.regex(error!.message, /self-signed certificate in certificate chain/);
  t.regex(error!.message, /ca_file/);
  t.regex(error!.message, /ssl_verify/);
  const after = counts(plain);
  t.is(after.requests, before.requests, 'no HTTP request got through');
  t.is(after.tcp - before.tcp, 1, 'one connection, no retries');
});

test.serial('a certificate for another host name: a typed TLS error saying so; not retried', async (t) => {
  const before = counts(otherHost);
  const error = await t.throwsAsync(client(t, otherHost, { caFile: pki.caFile }).poll());
  t.true(isDdiNetworkError(error) && error.kind === 'tls', String(error));
  t.regex(error!.message, /does not name this host/);
  t.regex(error!.message, /127\.0\.0\.1/);
  t.regex(error!.message, /hawkbit_server/);
  t.regex(error!.message, /ssl_verify/);
  t.is(counts(otherHost).tcp - before.tcp, 1);
  t.is(counts(otherHost).requests, before.requests);
});

test.serial('ssl_verify=false: works with an unknown CA and with a host name mismatch', async (t) => {
  t.is((await client(t, plain, { sslVerify: false }).poll()).sleepMs, 42_000);
  t.is((await client(t, otherHost, { sslVerify: false }).poll()).sleepMs, 42_000);
});

test.serial('mTLS: ssl_key/ssl_cert are presented and accepted', async (t) => {
  const before = counts(mutual);
  const poll = await client(t, mutual, { caFile: pki.caFile, sslKey: pki.clientKeyFile, sslCert: pki.clientCertFile }).poll();
  t.is(poll.sleepMs, 42_000);
  t.is(counts(mutual).tlsHandshakes - before.tlsHandshakes, 1);
  t.is(counts(mutual).requests - before.requests, 1);
});

for (const [what, files, expected] of [
  ['no client certificate', {}, /requires a client certificate.*ssl_key.*ssl_cert/],
  ['a client certificate from an unknown CA', { sslKey: 'rogue', sslCert: 'rogue' }, /refused the client certificate.*ssl_cert/],
] as const) {
  test.serial(`mTLS with ${what}: a typed error that says what to set; a bounded number of handshakes, no request`, async (t) => {
    const tls = 'sslKey' in files ? { sslKey: pki.rogueClientKeyFile, sslCert: pki.rogueClientCertFile } : {};
    const before = counts(mutual);
    const ddi = client(t, mutual, { caFile: pki.caFile, ...tls });
    // Several polls, as an agent loop would make: each one fails fast and is not retried.
    for (let i = 0; i < 3; i++) {
      const error = await t.throwsAsync(ddi.poll());
      t.true(isDdiNetworkError(error), String(error));
      t.regex(error!.message, expected);
      t.false(error!.message.includes(TOKEN));
    }
    const after = counts(mutual);
    t.is(after.requests, before.requests, 'the server never answered a request');
    t.is(after.tlsHandshakes, before.tlsHandshakes, 'no handshake succeeded');
    t.true(after.tcp - before.tcp <= 3, `one connection per poll, got ${after.tcp - before.tcp}`);
  });
}
