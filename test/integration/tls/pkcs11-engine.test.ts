/**
 * Client keys in a token, the way rauc-hawkbit-updater users configure them (`ssl_engine = pkcs11`,
 * `ssl_key = pkcs11:token=…;object=…`): Debian's libengine-pkcs11-openssl loaded by Node's OpenSSL,
 * the key in a SoftHSM2 token (reached through p11-kit, Debian's default), mTLS against the fake
 * hawkBit's mTLS server. Bad key ids, PINs and engines fail at start, naming the key, in the service
 * and in --check-config alike (exit 4).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { DdiClient } from '../../../src/ddi/index.js';
import { createTransport, isTransportConfigError, type TransportOptions } from '../../../src/net/index.js';
import { FakeHawkbit } from '../../fakes/hawkbit/index.js';
import { createSoftHsmToken, type SoftHsmToken } from '../../harness/softhsm.js';
import { configText } from '../../helpers/config-text.js';
import { runCli } from '../../helpers/run-cli.js';
import { makePki, type Pki } from '../../helpers/tls-fixture.js';

let pki: Pki;
let token: SoftHsmToken;
let mutual: FakeHawkbit;
const dir = mkdtempSync(join(tmpdir(), 'hr-pkcs11-'));

test.before(async () => {
  pki = makePki();
  token = createSoftHsmToken({ 'device-key': pki.clientKeyFile, 'rogue-key': pki.rogueClientKeyFile });
  // Every PKCS#11 user in this process (the engine, through p11-kit) finds this token.
  process.env.SOFTHSM2_CONF = token.env.SOFTHSM2_CONF;
  mutual = await FakeHawkbit.start({
    pollingSleep: '00:00:45', tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.clientCa, requestCert: true, certificateAuth: true },
  });
  mutual.addTarget('dev-1');
});

test.after.always(async () => {
  await mutual?.close();
  token?.cleanup();
  pki?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const withPinFile = (object: string) => `${token.uri(object)};pin-source=file:${token.pinFile}`;

function client(t: ExecutionContext, options: TransportOptions) {
  const transport = createTransport({ env: {}, caFile: pki.caFile, connectTimeoutMs: 10_000, ...options });
  t.teardown(() => transport.destroy());
  return new DdiClient({ server: mutual.hostPort, ssl: true, tenant: 'DEFAULT', controllerId: 'dev-1', auth: { kind: 'client-certificate' }, transport, retry: { retries: 0 } });
}

test.serial('ssl_engine = pkcs11 with the key in SoftHSM2: the mTLS server accepts the device (pin-source and pin-value)', async (t) => {
  for (const sslKey of [withPinFile('device-key'), `${token.uri('device-key')};pin-value=${token.pin}`]) {
    const before = mutual.connections.tlsHandshakes;
    const poll = await client(t, { sslEngine: 'pkcs11', sslKey, sslCert: pki.clientCertFile }).poll();
    t.is(poll.sleepMs, 45_000);
    t.true(mutual.connections.tlsHandshakes > before);
    t.true(mutual.requests.at(-1)!.authAccepted, 'the server took the certificate as the credential');
  }
});

test.serial('describe() says where the key is and shows no PIN', (t) => {
  const transport = createTransport({ env: {}, sslEngine: 'pkcs11', sslKey: `${token.uri('device-key')};pin-value=${token.pin}`, sslCert: pki.clientCertFile });
  t.teardown(() => transport.destroy());
  t.regex(transport.describe(), /client certificate .*client\.pem \(key in OpenSSL engine pkcs11\)/);
  t.false(transport.describe().includes(token.pin));
});

// A wrong or missing PIN is checked in fresh processes (the CLI tests below): once this process has
// logged in to the token, the engine keeps that session and does not ask for the PIN again.
test.serial('bad key id, certificate or engine: a TransportConfigError at start naming the key', (t) => {
  const cases: [TransportOptions, string, RegExp][] = [
    [{ sslEngine: 'pkcs11', sslKey: withPinFile('no-such-key'), sslCert: pki.clientCertFile }, 'ssl_key', /no such key \(check token= and object= in ssl_key/],
    [{ sslEngine: 'pkcs11', sslKey: withPinFile('rogue-key'), sslCert: pki.clientCertFile }, 'ssl_cert', /ssl_cert is not the certificate of this key/],
    [{ sslEngine: 'no-such-engine', sslKey: withPinFile('device-key'), sslCert: pki.clientCertFile }, 'ssl_engine', /OpenSSL engine 'no-such-engine' not found \(looked for no-such-engine\.so in /],
  ];
  for (const [options, key, message] of cases) {
    const error = t.throws(() => createTransport({ env: {}, ...options }), undefined, String(options.sslKey));
    t.true(isTransportConfigError(error) && error.key === key, `${String(error)} (expected key ${key})`);
    t.regex(error!.message, message);
  }
});

function configFile(name: string, client: Record<string, string>): string {
  const file = join(dir, name);
  writeFileSync(file, configText({
    client: {
      hawkbit_server: mutual.hostPort, ca_file: pki.caFile, tenant_id: 'DEFAULT', target_name: 'dev-1', auth_token: null as unknown as string,
      ssl_cert: pki.clientCertFile, ssl_engine: 'pkcs11', state_dir: join(dir, `${name}-state`), bundle_download_location: join(dir, 'b.raucb'), ...client,
    },
  }).replace(/^auth_token = .*\n/m, ''), { mode: 0o600 });
  return file;
}

const NO_BUS = { DBUS_STARTER_BUS_TYPE: 'session', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };

test.serial("rauc-hawkbit-updater's keys through the CLI: --check-config accepts them (PIN redacted), the service polls over mTLS", async (t) => {
  const file = configFile('good.conf', { ssl_key: `${token.uri('device-key')};pin-value=${token.pin}` });
  const check = await runCli(['-c', file, '--check-config'], { env: token.env });
  t.is(check.code, 0, check.stderr);
  t.true(check.stdout.includes(`ssl_key = ${token.uri('device-key')};pin-value=<redacted>`), check.stdout);
  t.regex(check.stderr, /'ssl_key' holds the PIN \(pin-value=…\).*prefer pin-source=file:/);
  const before = mutual.requests.length;
  const run = await runCli(['-c', configFile('good-file.conf', { ssl_key: withPinFile('device-key') }), '-r'], { env: { ...token.env, ...NO_BUS } });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /run once: nothing to do/);
  t.true(mutual.requests.slice(before).some((r) => r.path === '/DEFAULT/controller/v1/dev-1' && r.authAccepted));
  t.false(`${check.stdout}${check.stderr}${run.stdout}${run.stderr}`.includes(token.pin));
});

test.serial('ssl_engine given as the path of the engine works too (a fresh process: one engine instance per process)', async (t) => {
  // The first test found Debian's engines-3 directory and made it OPENSSL_ENGINES of this process.
  const path = join(process.env.OPENSSL_ENGINES!, 'pkcs11.so');
  const file = configFile('path.conf', { ssl_engine: path, ssl_key: withPinFile('device-key') });
  const before = mutual.requests.length;
  const run = await runCli(['-c', file, '-r'], { env: { ...token.env, ...NO_BUS } });
  t.is(run.code, 0, run.stderr);
  t.true(mutual.requests.slice(before).some((r) => r.authAccepted));
});

test.serial('a key the token does not hold: --check-config and the service both exit 4 with the same message naming ssl_key', async (t) => {
  const file = configFile('bad.conf', { ssl_key: withPinFile('no-such-key') });
  const check = await runCli(['-c', file, '--check-config'], { env: token.env });
  const run = await runCli(['-c', file, '-r'], { env: { ...token.env, ...NO_BUS } });
  t.is(check.code, 4, check.stderr);
  t.is(run.code, 4, run.stderr);
  const line = (text: string) => text.split('\n').find((l) => l.startsWith('Loading config file failed:'));
  t.regex(line(check.stderr) ?? '', /\[client\] ssl_key: cannot load the client key pkcs11:token=hr-test;object=no-such-key;pin-source=file:.* through OpenSSL engine 'pkcs11': no such key/);
  t.is(line(run.stderr), line(check.stderr));
});

test.serial('a wrong PIN and no PIN: both exit 4 naming ssl_key and what to do; the PIN is printed nowhere', async (t) => {
  const wrongPin = join(dir, 'wrong-pin');
  writeFileSync(wrongPin, '0000-wrong', { mode: 0o600 });
  const cases: [string, RegExp][] = [
    [`${token.uri('device-key')};pin-source=file:${wrongPin}`, /\[client\] ssl_key: .*the PIN is incorrect/],
    [token.uri('device-key'), /\[client\] ssl_key: .*the token wants a PIN and nothing gave it \(add pin-source=file:/],
  ];
  for (const [index, [sslKey, message]] of cases.entries()) {
    const file = configFile(`pin-${index}.conf`, { ssl_key: sslKey });
    for (const args of [['--check-config'], ['-r']]) {
      const result = await runCli(['-c', file, ...args], { env: { ...token.env, ...NO_BUS } });
      t.is(result.code, 4, `${args[0]}: ${result.stderr}`);
      t.regex(result.stderr, message);
      t.false(`${result.stdout}${result.stderr}`.includes('0000-wrong'));
    }
  }
});
