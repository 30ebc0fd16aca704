import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { FleetReport } from '../../src/fleet/index.js';
import { FakeHawkbit } from '../fakes/hawkbit/index.js';
import { configText } from '../helpers/config-text.js';
import { CLI, runCli } from '../helpers/run-cli.js';

const GATEWAY = 'cli-fleet-gateway-token-5521';

async function setup(t: ExecutionContext, client: Record<string, string | null> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'hr-cli-fleet-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'fleet.conf');
  const keys = { ssl: 'false', auth_token: null, gateway_token: GATEWAY, state_dir: join(dir, 'unused'), bundle_download_location: join(dir, 'b.raucb'), ...client };
  await writeFile(file, configText({ client: keys }), { mode: 0o600 });
  return { dir, file };
}

test('fleet --help, option errors (exit 1) and a config with one target\'s token for many devices (exit 4)', async (t) => {
  const help = await runCli(['fleet', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /Usage: hawkbit-rauc fleet -c FILE \(--devices N \| --device-list FILE\.csv\)/);
  const { file } = await setup(t);
  const bad = await runCli(['fleet', '-c', file, '--devices', '3', '--failure-rate', 'often']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /--failure-rate often: expected a rate from 0 to 1/);
  const group = await runCli(['fleet', '-c', file, '--devices', '3', '--group-failure-rate', '7=10%']);
  t.is(group.code, 1);
  t.regex(group.stderr, /--group-failure-rate names group '7', which no device is in/);
  const single = await setup(t, { gateway_token: null, auth_token: 'one-target-token-abc' });
  const refused = await runCli(['fleet', '-c', single.file, '--devices', '3']);
  t.is(refused.code, 4);
  t.regex(refused.stderr, /need \[client\] gateway_token/);
  t.false(refused.stderr.includes('one-target-token-abc'));
  t.is((await runCli(['fleet', '--devices', '3'])).code, 2, 'no config file given');
});

test('Ctrl-C: the fleet stops at once, prints the report and keeps every device\'s state; the token never reaches the terminal', async (t) => {
  const hb = await FakeHawkbit.start({ pollingSleep: '00:00:01', gatewayToken: GATEWAY });
  t.teardown(() => hb.close());
  const { dir, file } = await setup(t, { hawkbit_server: hb.hostPort, tenant_id: hb.tenant, active_poll_interval: '1' });
  const ids = ['cli-0000', 'cli-0001'];
  for (const id of ids) hb.addTarget(id).pushDeployment({ type: 'forced', chunks: [{ part: 'os', name: 'rootfs', version: '2.0', artifacts: [{ filename: 'r.raucb', content: Buffer.alloc(10_000, 1) }] }] });
  const fleetDir = join(dir, 'fleet');
  const child = spawn(process.execPath, [CLI, 'fleet', '-c', file, '--devices', '2', '--prefix', 'cli-', '--dir', fleetDir, '--install-time', '30', '--ramp-up', '0', '-d'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  // Both devices are installing (30 s): then Ctrl-C.
  const installing = () => ids.every((id) => hb.target(id)!.feedback.some((entry) => JSON.stringify(entry.body).includes('Copying image')));
  for (let waited = 0; !installing() && waited < 30_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  t.true(installing(), stderr);
  child.kill('SIGINT');
  t.is(await closed, 0, stderr);
  t.regex(stdout, /fleet report: 2 devices against http:\/\/127\.0\.0\.1:\d+, .* \(stopped\)/);
  t.regex(stdout, /results: 0 success · 0 failure · 2 open · 0 without an action/);
  t.regex(stdout, /cli-0000 +1 +\d+ +open \(installing\)/);
  const report = JSON.parse(await readFile(join(fleetDir, 'fleet-report.json'), 'utf8')) as FleetReport;
  t.is(report.ended, 'stopped');
  for (const id of ids) {
    const state = JSON.parse(await readFile(join(fleetDir, 'devices', id, 'state', 'state.json'), 'utf8')) as { phase: { kind: string } };
    t.is(state.phase.kind, 'installing');
  }
  const log = await readFile(join(fleetDir, 'fleet.log'), 'utf8');
  t.regex(log, /device=cli-0001/);
  for (const text of [stdout, stderr, log]) t.false(text.includes(GATEWAY));
});
