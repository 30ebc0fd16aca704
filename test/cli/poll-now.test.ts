import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { FakeHawkbit } from '../fakes/hawkbit/index.js';
import { configText } from '../helpers/config-text.js';
import { CLI, runCli } from '../helpers/run-cli.js';

const TOKEN = 'poll-now-token-3b7a';
const NO_BUS = { DBUS_STARTER_BUS_TYPE: 'session', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };

/** The service (`-c file`, no D-Bus) as a child process, once its first poll has sent the attributes and it sleeps. */
async function startService(t: ExecutionContext, hb: FakeHawkbit, file: string, target: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CLI, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...NO_BUS, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.teardown(() => child.kill('SIGKILL'));
  const deadline = Date.now() + 30_000;
  const attributesSent = () => hb.requests.some((r) => r.method === 'PUT' && r.path.endsWith(`/${target}/configData`));
  while (!attributesSent() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.true(attributesSent(), stderr);
  return { child, exited, stderr: () => stderr };
}

/** A config file in `dir` for `target` of `hb`, its state_dir `dir/state`. */
function writeConfig(dir: string, hb: FakeHawkbit, target: string): { file: string; state: string } {
  const file = join(dir, 'c.conf');
  const state = join(dir, 'state');
  writeFileSync(file, configText({
    client: { hawkbit_server: hb.hostPort, ssl: 'false', tenant_id: hb.tenant, target_name: target, auth_token: TOKEN, bundle_download_location: join(dir, 'b.raucb'), state_dir: state },
  }), { mode: 0o600 });
  return { file, state };
}

test('poll-now: the running service polls at once and the command prints what the poll found; no service → exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-poll-now-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Ten minutes between polls: only poll-now can make the service poll again within the test.
  const hb = await FakeHawkbit.start({ pollingSleep: '00:10:00' });
  t.teardown(() => hb.close());
  const target = hb.addTarget('pn-dev', { token: TOKEN });
  const { file } = writeConfig(dir, hb, 'pn-dev');
  const polls = () => hb.requests.filter((r) => r.path === `/${hb.tenant}/controller/v1/pn-dev`).length;

  const none = await runCli(['-c', file, 'poll-now']);
  t.is(none.code, 1);
  t.regex(none.stderr, /no hawkbit-rauc service is running for state_dir .*state/);

  const { child, exited, stderr } = await startService(t, hb, file, 'pn-dev');

  const before = polls();
  const first = await runCli(['-c', file, 'poll-now']);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /^polled at \S+: nothing to do; next poll in 600 s\n$/);
  t.is(polls(), before + 1, 'the server got one more poll');

  target.pushDeployment({ type: 'forced', chunks: [{ name: 'os', version: '2', artifacts: [{ filename: 'x.raucb', content: Buffer.from('x') }] }] });
  const second = await runCli(['-c', file, 'poll-now']);
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout, /^polled at \S+: action \d+ offered; next poll in \d+ s\n$/);

  child.kill('SIGTERM');
  t.is(await exited, 0, stderr());
  const after = await runCli(['-c', file, 'poll-now']);
  t.is(after.code, 1);
  t.regex(after.stderr, /no hawkbit-rauc service is running/);
});

test('under systemd\'s RuntimeDirectory= the status lives there: poll-now and status find the service through state_dir\'s link, and nothing of it is left when the directory goes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-poll-now-run-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const hb = await FakeHawkbit.start({ pollingSleep: '00:10:00' });
  t.teardown(() => hb.close());
  hb.addTarget('pn-run', { token: TOKEN });
  const { file, state } = writeConfig(dir, hb, 'pn-run');
  // As systemd does: the directory exists before the start, and RUNTIME_DIRECTORY names it (the first of a list).
  const run = join(dir, 'run');
  mkdirSync(run);
  const { child, exited, stderr } = await startService(t, hb, file, 'pn-run', { RUNTIME_DIRECTORY: `${run}:${join(dir, 'other')}` });

  const polled = await runCli(['-c', file, 'poll-now']);
  t.is(polled.code, 0, polled.stderr);
  t.regex(polled.stdout, /^polled at \S+: nothing to do; next poll in 600 s\n$/);
  const link = join(state, 'status.json');
  t.true(lstatSync(link).isSymbolicLink());
  t.is(readlinkSync(link), join(run, 'status.json'));
  t.deepEqual(readdirSync(run), ['status.json']);
  const status = await runCli(['-c', file, 'status']);
  t.is(status.code, 0, status.stderr);
  t.regex(status.stdout, new RegExp(`^service: +pid ${child.pid}, idle`, 'm'));

  child.kill('SIGTERM');
  t.is(await exited, 0, stderr());
  rmSync(run, { recursive: true });
  const after = await runCli(['-c', file, 'status']);
  t.is(after.code, 0, after.stderr);
  t.notRegex(after.stdout, /^service:/m);
  const none = await runCli(['-c', file, 'poll-now']);
  t.is(none.code, 1);
  t.regex(none.stderr, /no hawkbit-rauc service is running/);
});

test('an idle poll like the one before only sets the status file\'s time: `status` shows each poll, and poll-now\'s poll writes the file with its time in it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-poll-now-time-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const hb = await FakeHawkbit.start({ pollingSleep: '00:00:01' });
  t.teardown(() => hb.close());
  hb.addTarget('pn-time', { token: TOKEN });
  const { file } = writeConfig(dir, hb, 'pn-time');
  const run = join(dir, 'run');
  mkdirSync(run);
  const { child, exited, stderr } = await startService(t, hb, file, 'pn-time', { RUNTIME_DIRECTORY: run });
  const statusFile = join(run, 'status.json');
  const polls = () => hb.requests.filter((r) => r.path === `/${hb.tenant}/controller/v1/pn-time`).length;
  const waitForPolls = async (count: number) => {
    for (const deadline = Date.now() + 20_000; polls() < count && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    // The poll's answer is in; its status follows within a moment.
    await new Promise((r) => setTimeout(r, 200));
  };
  const lastPoll = async () => {
    const shown = await runCli(['-c', file, 'status']);
    t.is(shown.code, 0, shown.stderr);
    return /^last poll: +(\S+)$/m.exec(shown.stdout)?.[1];
  };

  // Past the first polls (attributes, the first idle answer): from here on every poll finds the same.
  await waitForPolls(polls() + 1);
  const inode = statSync(statusFile).ino;
  const written = JSON.parse(readFileSync(statusFile, 'utf8')) as { lastPollAt: string };
  const seen: string[] = [];
  for (let more = 1; more <= 3; more++) {
    await waitForPolls(polls() + 1);
    seen.push((await lastPoll()) ?? 'none');
  }
  t.is(statSync(statusFile).ino, inode, 'idle polls did not replace the file');
  t.is(JSON.parse(readFileSync(statusFile, 'utf8')).lastPollAt, written.lastPollAt, 'nor wrote it');
  t.is(seen.at(-1), new Date(Math.round(statSync(statusFile).mtimeMs)).toISOString(), 'the last poll is the file\'s time');
  t.true(seen.every((at, i) => Date.parse(at) > (i === 0 ? Date.parse(written.lastPollAt) : Date.parse(seen[i - 1]!))), seen.join(' '));

  // Ten minutes to the next poll (no poll under way when poll-now asks): that poll's summary changes, so it is written.
  hb.setPollingSleep('00:10:00');
  await waitForPolls(polls() + 1);
  const before = statSync(statusFile).ino;
  t.not(before, inode);
  const asked = await runCli(['-c', file, 'poll-now']);
  t.is(asked.code, 0, asked.stderr);
  const printed = /^polled at (\S+): nothing to do; next poll in 600 s$/m.exec(asked.stdout)?.[1];
  t.not(statSync(statusFile).ino, before, 'the poll asked for found the same, and was written out');
  t.is(JSON.parse(readFileSync(statusFile, 'utf8')).lastPollFound.at, printed);

  child.kill('SIGTERM');
  t.is(await exited, 0, stderr());
});
