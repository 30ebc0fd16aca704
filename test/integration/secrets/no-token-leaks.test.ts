/**
 * Drives every error path of the DDI client and the config loader with a distinctive token, then
 * greps everything they produced (error messages, causes, inspected errors, log output) for it.
 * Logs go both to a raw logger (what the code itself writes) and through the real logger without
 * telling it the secret (so its redaction by value cannot hide a leak).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import test from 'ava';
import { isConfigError, loadConfig, parseConfig } from '../../../src/config/index.js';
import { buildFeedback, DdiClient, type DdiClientOptions } from '../../../src/ddi/index.js';
import { createLogger, type Logger, type LogMeta } from '../../../src/log/index.js';
import { createTransport } from '../../../src/net/index.js';
import { FakeHawkbit } from '../../fakes/hawkbit/index.js';
import { Capture } from '../../helpers/capture.js';
import { configText } from '../../helpers/config-text.js';
import { makePki, type Pki } from '../../helpers/tls-fixture.js';
import { RawLog } from '../../contract/ddi/msw-harness.js';
import { freePort, RawHttpServer } from '../faults/raw-http-server.js';

const TOKEN = 'zz-LEAKCHECK-7f3e9a-token';
const GATEWAY = 'zz-LEAKCHECK-gw-51c0';
const SECRETS = [TOKEN, GATEWAY];

const produced: string[] = [];
const raw = new RawLog();
const output = new Capture();
const real = createLogger({ level: 'debug', format: 'text', stream: output });
/** Every entry goes to both loggers. */
const both: Logger = (() => {
  const fan = (r: Logger, l: Logger): Logger => ({
    error: (m: string, meta?: LogMeta) => (r.error(m, meta), l.error(m, meta)),
    critical: (m: string, meta?: LogMeta) => (r.critical(m, meta), l.critical(m, meta)),
    warning: (m: string, meta?: LogMeta) => (r.warning(m, meta), l.warning(m, meta)),
    message: (m: string, meta?: LogMeta) => (r.message(m, meta), l.message(m, meta)),
    info: (m: string, meta?: LogMeta) => (r.info(m, meta), l.info(m, meta)),
    debug: (m: string, meta?: LogMeta) => (r.debug(m, meta), l.debug(m, meta)),
    child: (meta: LogMeta) => fan(r.child(meta), l.child(meta)),
  });
  return fan(raw, real);
})();

/** Keeps everything an error shows: message, String(), the full inspection with causes and hidden fields. */
function record(error: unknown): void {
  produced.push(String(error), inspect(error, { depth: 20, showHidden: true }));
  if (error instanceof Error) produced.push(error.message, JSON.stringify(error));
}

async function expectFailure(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    record(error);
    return;
  }
  throw new Error('the call was expected to fail');
}

const RETRY = { retries: 1, minDelayMs: 1, maxDelayMs: 5, jitter: 0, maxElapsedMs: 10_000 } as const;
let pki: Pki;
let dir: string;

test.before(() => {
  pki = makePki();
  dir = mkdtempSync(join(tmpdir(), 'hr-leaks-'));
});
test.after.always(() => {
  pki?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function ddi(server: string, options: Partial<DdiClientOptions> = {}): DdiClient {
  return new DdiClient({
    server, ssl: false, tenant: 'DEFAULT', controllerId: 'dev-1', auth: { kind: 'target-token', token: TOKEN }, log: both, retry: RETRY, timeoutMs: 5_000, ...options,
  });
}

test.serial('DDI error paths: HTTP statuses, quota, closed action, protocol errors', async (t) => {
  const hb = await FakeHawkbit.start({ quotaStatus: 429 });
  t.teardown(() => hb.close());
  const target = hb.addTarget('dev-1', { token: TOKEN });
  const wrong = ddi(hb.hostPort, { auth: { kind: 'target-token', token: `${TOKEN}-wrong` } });
  await expectFailure(wrong.poll()); // 401
  await expectFailure(ddi(hb.hostPort, { auth: { kind: 'gateway-token', token: GATEWAY } }).poll()); // 401, no gateway auth
  const client = ddi(hb.hostPort);
  for (const status of [403, 404, 500, 503]) {
    hb.failNext(status >= 500 ? RETRY.retries + 1 : 1, status);
    await expectFailure(client.poll());
  }
  hb.failNext(1, 200, { body: { config: { polling: { sleep: 'soon' } } } });
  await expectFailure(client.poll()); // protocol error
  const { actionId } = target.pushDeployment({ type: 'forced', chunks: [{ name: 'fw', version: '1', artifacts: [{ filename: 'u.raucb', content: Buffer.from('x') }] }] });
  const deployment = (await client.poll()).deployment!;
  hb.failNext(1, 429, { body: { errorCode: 'hawkbit.server.error.quota.tooManyEntries' } });
  await expectFailure(deployment.feedback(buildFeedback('proceeding', 'none')));
  await deployment.feedback(buildFeedback('closed', 'success'));
  await expectFailure(deployment.feedback(buildFeedback('closed', 'success'))); // 410
  t.is(target.action(actionId).status, 'finished');
  t.true(produced.length > 20);
});

test.serial('DDI network paths: refused, DNS, timeout, cut-off body, TLS unknown CA', async (t) => {
  await expectFailure(ddi(`127.0.0.1:${await freePort()}`).poll());
  await expectFailure(ddi('nonexistent.invalid').poll());
  const silent = await RawHttpServer.start(() => undefined);
  t.teardown(() => silent.close());
  await expectFailure(ddi(silent.hostPort, { timeoutMs: 300, retry: { retries: 0 } }).poll());
  const cut = await RawHttpServer.start((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n{"con'));
  t.teardown(() => cut.close());
  await expectFailure(ddi(cut.hostPort).poll());
  const https = await FakeHawkbit.start({ tls: { key: pki.serverKey, cert: pki.serverCert } });
  t.teardown(() => https.close());
  const transport = createTransport({ env: {} });
  t.teardown(() => transport.destroy());
  await expectFailure(ddi(https.hostPort, { ssl: true, transport }).poll());
  t.true(produced.length > 10);
});

test.serial('config error paths with the token in the file', (t) => {
  const texts = [
    configText({ client: { auth_token: TOKEN, gateway_token: GATEWAY } }),
    configText({ client: { auth_token: TOKEN, ssl: 'maybe' } }),
    configText({ client: { auth_token: TOKEN }, device: null }),
    configText({ client: { auth_token: null }, extra: `[client]\nauth_token: ${TOKEN}` }),
    `[client]\n  gateway_token ${GATEWAY}\n`,
    `[client]\nproxy http://user:${TOKEN}@proxy:3128\n`,
    configText({ client: { auth_token: TOKEN, proxy: `ftp://user:${TOKEN}@proxy:21` } }),
    configText({ client: { auth_token: TOKEN, proxy: `user:${TOKEN}@proxy` } }),
  ];
  for (const text of texts) {
    const error = t.throws(() => parseConfig(text, '/etc/hawkbit-rauc.conf'));
    t.true(isConfigError(error), String(error));
    record(error);
  }
  const file = join(dir, 'world-readable.conf');
  writeFileSync(file, configText({ client: { auth_token: TOKEN, state_dir: dir } }), { mode: 0o644 });
  const { warnings } = loadConfig(file);
  t.true(warnings.length > 0);
  for (const warning of warnings) produced.push(warning.message, warning.key);
});

test.serial('nothing produced above holds a secret', (t) => {
  const everything = [...produced, ...raw.lines, output.text];
  t.true(raw.lines.length > 10 && output.text.length > 0, 'the scenarios logged something');
  for (const text of everything) {
    for (const secret of SECRETS) t.false(text.includes(secret), `${secret} leaked in: ${text.slice(0, 300)}`);
  }
});
