import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import test, { type ExecutionContext } from 'ava';

const run = promisify(execFile);
const repo = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, repo), 'utf8');
const unitText = read('config/hawkbit-rauc.service');
const dir = mkdtempSync(join(tmpdir(), 'hr-unit-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** `[Service]` settings of the shipped unit, as key → values (a key may repeat). */
function settings(section: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current = '';
  for (const raw of unitText.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const group = /^\[(.+)\]$/.exec(line);
    if (group) {
      current = group[1]!;
      continue;
    }
    if (current !== section) continue;
    const at = line.indexOf('=');
    const key = line.slice(0, at);
    result.set(key, [...(result.get(key) ?? []), line.slice(at + 1)]);
  }
  return result;
}

test('systemd-analyze verify accepts the unit (ExecStart pointed at a stub)', async (t) => {
  const stub = join(dir, 'hawkbit-rauc');
  writeFileSync(stub, '#!/bin/sh\nexit 0\n');
  chmodSync(stub, 0o755);
  const copy = join(dir, 'hawkbit-rauc.service');
  writeFileSync(copy, unitText.replace('ExecStart=/usr/bin/hawkbit-rauc ', `ExecStart=${stub} `));
  t.not(readFileSync(copy, 'utf8'), unitText, 'the copy must differ only in the ExecStart path');
  const result = await run('systemd-analyze', ['verify', copy], { timeout: 60_000 }).catch((error: { code: number; stdout: string; stderr: string }) => error);
  const output = `${result.stdout}${result.stderr}`;
  t.is('code' in result ? result.code : 0, 0, output);
  t.notRegex(output, /hawkbit-rauc\.service/, 'no warning about the unit');
});

test('systemd-analyze verify catches a broken unit (the check is real)', async (t) => {
  const copy = join(dir, 'broken.service');
  writeFileSync(copy, unitText.replace('ExecStart=/usr/bin/hawkbit-rauc ', `ExecStart=${join(dir, 'absent')} `));
  const error = await t.throwsAsync(run('systemd-analyze', ['verify', copy], { timeout: 60_000 }));
  t.regex(String((error as { stderr?: string }).stderr), /absent/);
});

test('the shipped unit runs the real binary with the journal output and the real config path', (t) => {
  const service = settings('Service');
  t.deepEqual(service.get('ExecStart'), ['/usr/bin/hawkbit-rauc -s -c /etc/hawkbit-rauc.conf']);
});

test('the unit has the settings the service relies on', (t) => {
  const unit = settings('Unit');
  const service = settings('Service');
  const expected: Record<string, string> = {
    Type: 'notify',
    NotifyAccess: 'all',
    Restart: 'on-failure',
    StateDirectory: 'hawkbit-rauc',
    CacheDirectory: 'hawkbit-rauc',
    RuntimeDirectory: 'hawkbit-rauc',
    User: 'hawkbit-rauc',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    NoNewPrivileges: 'yes',
    ReadWritePaths: '/var/cache/hawkbit-rauc',
    RestartPreventExitStatus: '2 3 4',
  };
  for (const [key, value] of Object.entries(expected)) t.deepEqual(service.get(key), [value], key);
  // The watchdog must outlast the longest poll: `timeout` (60 s default) plus up to a minute of retries.
  const watchdog = /^(\d+)min$/.exec(service.get('WatchdogSec')?.[0] ?? '');
  t.truthy(watchdog);
  t.true(Number(watchdog![1]) * 60 >= 5 * 60);
  for (const key of ['Wants', 'After']) {
    const names = (unit.get(key) ?? []).join(' ').split(/\s+/);
    t.true(names.includes('rauc.service'), key);
    t.true(names.includes('network-online.target'), key);
  }
  // The bundle location of the example config is one the service may write.
  const example = read('config/hawkbit-rauc.conf.example');
  const location = /^bundle_download_location\s*=\s*(\S+)/m.exec(example)?.[1] ?? '';
  t.true(location.startsWith('/var/cache/hawkbit-rauc/'), location);
  t.regex(example, /^state_dir\s*=\s*\/var\/lib\/hawkbit-rauc$/m);
});

test('the polkit rule lets only the service user reboot, and respects inhibitors', (t) => {
  const rules: Array<(action: { id: string }, subject: { user: string }) => unknown> = [];
  const Result = { YES: 'yes', NO: 'no', NOT_HANDLED: null };
  runInNewContext(read('config/polkit/50-hawkbit-rauc.rules'), { polkit: { Result, addRule: (rule: (typeof rules)[number]) => rules.push(rule) } });
  t.is(rules.length, 1);
  const decide = (id: string, user: string) => rules[0]!({ id }, { user });
  t.is(decide('org.freedesktop.login1.reboot', 'hawkbit-rauc'), 'yes');
  t.is(decide('org.freedesktop.login1.reboot-multiple-sessions', 'hawkbit-rauc'), 'yes');
  t.is(decide('org.freedesktop.login1.reboot-ignore-inhibit', 'hawkbit-rauc'), null);
  t.is(decide('org.freedesktop.login1.power-off', 'hawkbit-rauc'), null);
  t.is(decide('org.freedesktop.login1.reboot', 'someone-else'), null);
});

/** Starts a dbus-daemon whose config includes `snippet`; resolves with its address, rejects with its error. */
async function busWith(t: ExecutionContext, snippet: string, name: string): Promise<string> {
  const config = join(dir, `${name}.conf`);
  writeFileSync(config, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=${join(dir, `${name}.socket`)}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><deny send_destination="de.pengutronix.rauc"/></policy>
<include>${snippet}</include></busconfig>
`);
  const daemon = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--print-address'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => daemon.kill());
  let stderr = '';
  daemon.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<string>((resolve, reject) => {
    daemon.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    // 'close', not 'exit': only then has all of stderr been read.
    daemon.once('close', (code) => reject(new Error(`dbus-daemon exited ${code}: ${stderr}`)));
  });
}

test('dbus-daemon loads the D-Bus policy snippet', async (t) => {
  const address = await busWith(t, new URL('config/dbus/hawkbit-rauc.conf', repo).pathname, 'good');
  t.true(address.startsWith(`unix:path=${join(dir, 'good.socket')}`), address);
});

test('dbus-daemon refuses a damaged copy of the snippet (the check is real)', async (t) => {
  const broken = join(dir, 'broken-policy.conf');
  writeFileSync(broken, read('config/dbus/hawkbit-rauc.conf').replace('send_member="Get"', 'send_membr="Get"'));
  await t.throwsAsync(busWith(t, broken, 'bad'), { message: /send_membr/ });
});

test('the unit\'s environment (Node options, malloc arenas) is accepted by Node and leaves fetch out', async (t) => {
  // One assignment per line; systemd takes a quoted one whole ("NAME=value with spaces").
  const unquote = (entry: string) => (entry.startsWith('"') && entry.endsWith('"') ? entry.slice(1, -1) : entry);
  const environment = Object.fromEntries((settings('Service').get('Environment') ?? []).map((entry) => unquote(entry).split(/=(.*)/s).slice(0, 2) as [string, string]));
  t.is(environment['NODE_OPTIONS'], '--no-experimental-fetch --max-semi-space-size=1');
  t.is(environment['MALLOC_ARENA_MAX'], '2');
  t.is(environment['MALLOC_TRIM_THRESHOLD_'], '131072');
  t.is(environment['MALLOC_TOP_PAD_'], '0');
  const cli = new URL('dist/cli.js', repo).pathname;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(cli.replace('cli.js', 'main.js'))}); console.log(typeof fetch)`], {
    env: { PATH: process.env['PATH'] ?? '', ...environment },
    timeout: 60_000,
  });
  t.is(stdout.trim(), 'undefined', 'the agent loads without fetch');
  // Under a burst of short-lived objects V8 would grow the young generation to 32 MiB; the unit keeps it at 2 × 1 MiB.
  const burst = "let a = []; for (let i = 0; i < 3e6; i++) { a.push({ i }); if (a.length > 2e5) a = []; } console.log(require('v8').getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size)";
  const young = await run(process.execPath, ['-e', burst], { env: { PATH: process.env['PATH'] ?? '', ...environment }, timeout: 60_000 });
  t.true(Number(young.stdout) <= 2 * 1024 * 1024, `new space ${young.stdout.trim()} bytes`);
  const version = await run(process.execPath, [cli, '--version'], { env: { PATH: process.env['PATH'] ?? '', ...environment }, timeout: 60_000 });
  t.regex(version.stdout, /\d+\.\d+\.\d+/);
});
