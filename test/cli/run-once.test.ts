import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { FakeHawkbit } from '../fakes/hawkbit/index.js';
import { configText } from '../helpers/config-text.js';
import { runCli } from '../helpers/run-cli.js';

const TOKEN = 'run-once-token-63a0';
const dir = mkdtempSync(join(tmpdir(), 'hr-run-once-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
// Serial: each test starts the CLI (one or two Node processes); a burst of them on a loaded 2-core
// machine slows every other CLI test in the run.
const NO_BUS = { DBUS_STARTER_BUS_TYPE: 'session', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
let configs = 0;

function config(client: Record<string, string>): string {
  const file = join(dir, `c${++configs}.conf`);
  writeFileSync(file, configText({ client: { ssl: 'false', auth_token: TOKEN, state_dir: join(dir, `state${configs}`), bundle_download_location: join(dir, 'b.raucb'), ...client } }), { mode: 0o600 });
  return file;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** `-r` must fail (exit 1) and say why as its last stderr line, without the token. */
async function expectFailedRun(t: ExecutionContext, file: string, cause: RegExp): Promise<void> {
  const started = Date.now();
  const result = await runCli(['-c', file, '-r'], { env: NO_BUS, timeoutMs: 150_000 });
  t.log(`exit ${result.code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  t.is(result.code, 1, result.stderr);
  const last = result.stderr.trimEnd().split('\n').at(-1)!;
  t.true(last.startsWith('hawkbit-rauc: run once failed: poll failed: '), last);
  t.regex(last, cause);
  t.false(result.stderr.includes('nothing to do'));
  t.false(`${result.stdout}${result.stderr}`.includes(TOKEN));
}

test.serial('run once against a closed port exits 1 with the cause on stderr', async (t) => {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  await expectFailedRun(t, config({ hawkbit_server: `127.0.0.1:${port}` }), /connection refused/);
});

test.serial('run once with a wrong token (401) exits 1 naming the credential', async (t) => {
  const hb = await FakeHawkbit.start();
  t.teardown(() => hb.close());
  hb.addTarget('device-1', { token: 'the-right-token-1234' });
  await expectFailedRun(t, config({ hawkbit_server: hb.hostPort, tenant_id: hb.tenant }), /the server refused the credential .*check auth_token/);
});

test.serial('run once against a server answering 5xx exits 1 after its retries', async (t) => {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(502).end('bad gateway');
  });
  const port = await listen(server);
  t.teardown(() => server.close());
  await expectFailedRun(t, config({ hawkbit_server: `127.0.0.1:${port}` }), /answered 502/);
  t.is(requests, 4, 'the first attempt and 3 retries');
});

test.serial('run once against a working server with nothing to do still exits 0', async (t) => {
  const hb = await FakeHawkbit.start();
  t.teardown(() => hb.close());
  hb.addTarget('device-1', { token: TOKEN });
  const result = await runCli(['-c', config({ hawkbit_server: hb.hostPort, tenant_id: hb.tenant }), '-r'], { env: NO_BUS });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /run once: nothing to do/);
});
