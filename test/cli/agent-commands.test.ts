import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { FakeHawkbit } from '../fakes/hawkbit/index.js';
import { configText } from '../helpers/config-text.js';
import { CLI, runCli } from '../helpers/run-cli.js';

const TOKEN = 'cli-agent-token-9d2e';

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'hr-cli-agent-'));
  const hb = await FakeHawkbit.start({ pollingSleep: '00:00:01' });
  const target = hb.addTarget('cli-dev', { token: TOKEN });
  const file = join(dir, 'c.conf');
  writeFileSync(
    file,
    configText({
      client: { hawkbit_server: hb.hostPort, ssl: 'false', tenant_id: hb.tenant, target_name: 'cli-dev', auth_token: TOKEN, bundle_download_location: join(dir, 'b.raucb'), state_dir: join(dir, 'state'), retry_wait: '1' },
    }),
  );
  return { dir, hb, target, file };
}

test('status on a fresh device: idle, exit 0', async (t) => {
  const { hb, file } = await setup();
  t.teardown(() => hb.close());
  const result = await runCli(['-c', file, 'status']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^state: +idle$/m);
  t.regex(result.stdout, /^since: +never$/m, 'not the epoch of an empty state');
  t.notRegex(result.stdout, /1970/);
});

test('status cleans what the server sent (file names, versions, details, errors) of escape sequences', async (t) => {
  const { dir, hb, file } = await setup();
  t.teardown(() => hb.close());
  const evil = (text: string) => `${text}\x1b[2J\x1b]0;pwned\x07\x1b[31m!\x1b[0m\u009b6n\r`;
  const state = join(dir, 'state');
  mkdirSync(state, { recursive: true });
  const action = { id: '42', type: 'forced', files: [], bundles: [{ chunk: 'os', version: evil('2.0'), filename: evil('rootfs.raucb'), size: 1, path: undefined }] };
  writeFileSync(join(state, 'state.json'), JSON.stringify({ schema: 1, phase: { kind: 'reporting', action, outcome: { result: 'failure', code: 1, details: [evil('bad'), 'line\nbreak'] } }, visits: { reporting: 1 }, updatedAt: '2026-12-01T09:00:00.000Z' }));
  writeFileSync(join(state, 'status.json'), JSON.stringify({ pid: 1, updatedAt: '2026-12-01T09:00:01.000Z', activity: evil('installing'), progress: { percent: 50, message: evil('msg') }, lastError: evil('server said') }));
  const result = await runCli(['-c', file, 'status']);
  t.is(result.code, 0, result.stderr);
  // eslint-disable-next-line no-control-regex -- what must not reach the terminal
  t.notRegex(result.stdout, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, JSON.stringify(result.stdout));
  t.regex(result.stdout, /^since: +2026-12-01T09:00:00\.000Z$/m);
  t.regex(result.stdout, /^bundles: +rootfs\.raucb!6n 2\.0!6n$/m);
  t.regex(result.stdout, /^result: +failure: bad!6n; line break \(not yet delivered\)$/m);
  t.regex(result.stdout, /^service: +pid 1, installing!6n \(updated 2026-12-01T09:00:01\.000Z\)$/m);
  t.regex(result.stdout, /^progress: +50 % msg!6n$/m);
  t.regex(result.stdout, /^last error: +server said!6n$/m);
});

test('confirm and deny record the decision for the service; bad ids and arguments are option errors', async (t) => {
  const { dir, hb, file } = await setup();
  t.teardown(() => hb.close());
  const ok = await runCli(['-c', file, 'confirm', '17']);
  t.is(ok.code, 0);
  t.is(ok.stdout, 'action 17 will be confirmed at the next poll\n');
  t.is(readFileSync(join(dir, 'state', 'decisions', '17'), 'utf8'), 'confirmed');
  t.is((await runCli(['-c', file, 'deny'])).code, 1);
  t.is((await runCli(['-c', file, 'status', 'x'])).code, 1);
  const bad = await runCli(['-c', file, 'deny', '../../etc']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /'\.\.\/\.\.\/etc' is not an action id/);
});

test('run once: polls, reports attributes, exits 0 with nothing to do', async (t) => {
  const { hb, target, file } = await setup();
  t.teardown(() => hb.close());
  const result = await runCli(['-c', file, '-r'], { env: { DBUS_STARTER_BUS_TYPE: 'session', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' } });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /run once: nothing to do/);
  t.like(target.attributes, { product: 'Test' });
  t.false(result.stderr.includes(TOKEN));
});

test('run once: a failed action exits 1; status afterwards shows the result and no token', async (t) => {
  const { hb, target, file } = await setup();
  t.teardown(() => hb.close());
  const { actionId } = target.pushDeployment({ type: 'forced', chunks: [{ name: 'os', version: '2', artifacts: [{ filename: 'x.raucb', content: Buffer.from('x') }] }] });
  const result = await runCli(['-c', file, '-r'], { env: { DBUS_STARTER_BUS_TYPE: 'session', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' } });
  t.is(result.code, 1, result.stderr);
  t.is(target.action(actionId).status, 'error');
  const status = await runCli(['-c', file, 'status']);
  t.is(status.code, 0);
  t.regex(status.stdout, /^last error: +.*RAUC/m);
  t.false(`${status.stdout}${status.stderr}${result.stdout}${result.stderr}`.includes(TOKEN));
  const feedback = JSON.stringify(target.feedback);
  t.false(feedback.includes(TOKEN), 'no token in any feedback');
});

test('the service stops on SIGTERM with exit 0 and keeps its state', async (t) => {
  const { hb, file } = await setup();
  t.teardown(() => hb.close());
  const child = spawn(process.execPath, [CLI, '-c', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DBUS_STARTER_BUS_TYPE: 'session', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const deadline = Date.now() + 20_000;
  while (!hb.requests.some((request) => request.path.endsWith('/cli-dev')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  t.is(await exited, 0, stderr);
  t.regex(stderr, /stopped/);
});
