import test, { type ExecutionContext } from 'ava';
import { DdiClient, isDdiNetworkError } from '../../../src/ddi/index.js';
import { createTransport, isTransportConfigError, type TransportOptions } from '../../../src/net/index.js';
import { makePki, startHttpsDdi, type DdiHttpsServer, type Pki } from './tls-fixture.js';

let pki: Pki;
let plain: DdiHttpsServer;
let mutual: DdiHttpsServer;

test.before(async () => {
  pki = makePki();
  plain = await startHttpsDdi(pki);
  mutual = await startHttpsDdi(pki, { requireClientCert: true });
});

test.after.always(async () => {
  await plain?.close();
  await mutual?.close();
  pki?.cleanup();
});

async function poll(t: ExecutionContext, hostPort: string, options: TransportOptions, auth: 'token' | 'cert' = 'token') {
  const transport = createTransport({ env: {}, ...options });
  t.teardown(() => transport.destroy());
  const client = new DdiClient({
    server: hostPort, ssl: true, tenant: 'DEFAULT', controllerId: 'dev-1', transport, retry: { retries: 0 },
    auth: auth === 'cert' ? { kind: 'client-certificate' } : { kind: 'target-token', token: 'tok-tok-tok' },
  });
  return client.poll();
}

test('an unknown CA fails with a TLS error that says to set ca_file', async (t) => {
  const error = await t.throwsAsync(poll(t, plain.hostPort, {}));
  t.true(isDdiNetworkError(error) && error.kind === 'tls', String(error));
  t.regex(error!.message, /self-signed certificate in certificate chain; set ca_file/);
});

test('ca_file adds the CA to the default roots', async (t) => {
  t.is((await poll(t, plain.hostPort, { caFile: pki.caFile })).sleepMs, 42_000);
});

test('ssl_verify=false accepts the unknown CA', async (t) => {
  t.is((await poll(t, plain.hostPort, { sslVerify: false })).sleepMs, 42_000);
});

test('mTLS: the client certificate from ssl_key/ssl_cert is presented; without it the server refuses', async (t) => {
  const result = await poll(t, mutual.hostPort, { caFile: pki.caFile, sslKey: pki.clientKeyFile, sslCert: pki.clientCertFile }, 'cert');
  t.is(result.sleepMs, 42_000);
  t.is(mutual.clients.at(-1), 'dev-1');
  const refused = await t.throwsAsync(poll(t, mutual.hostPort, { caFile: pki.caFile }, 'cert'));
  t.true(isDdiNetworkError(refused), String(refused));
});

test('ssl_engine is refused with a clear error; unreadable files name their key', (t) => {
  const engine = t.throws(() => createTransport({ sslEngine: 'pkcs11', sslKey: 'pkcs11:id=1', sslCert: pki.clientCertFile }));
  t.true(isTransportConfigError(engine) && engine.key === 'ssl_engine');
  t.regex(engine!.message, /Node\.js cannot load keys through OpenSSL engines/);
  const ca = t.throws(() => createTransport({ caFile: `${pki.dir}/missing.pem` }));
  t.true(isTransportConfigError(ca) && ca.key === 'ca_file');
  t.regex(ca!.message, /cannot read 'ca_file'/);
});

test('describe() names the settings and no secret', (t) => {
  const transport = createTransport({ caFile: pki.caFile, sslKey: pki.clientKeyFile, sslCert: pki.clientCertFile, env: { HTTPS_PROXY: 'http://u:hunter22@proxy:3128', NO_PROXY: 'lan' } });
  t.teardown(() => transport.destroy());
  const text = transport.describe();
  t.regex(text, /default CAs \+ .*ca\.pem/);
  t.regex(text, /client certificate/);
  t.regex(text, /https proxy http:\/\/proxy:3128 \(with credentials\)/);
  t.false(text.includes('hunter22'));
  t.true(transport.clientCertificate);
});
