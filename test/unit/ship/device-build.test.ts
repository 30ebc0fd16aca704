import { execFile, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { deviceBundleOptions } from '../../../scripts/device-bundle.js';
import { FakeHawkbit } from '../../fakes/hawkbit/index.js';
import { FakeRaucService } from '../../fakes/rauc/fake-rauc-service.js';
import { startPrivateBus } from '../../harness/dbus-daemon.js';

const run = promisify(execFile);
const repo = new URL('../../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hr-device-'));
const tree = join(dir, 'tree');
const START = join(tree, 'usr/lib/hawkbit-rauc/hawkbit-rauc.cjs');
const BUNDLE = join(tree, 'usr/lib/hawkbit-rauc/hawkbit-rauc-bundle.cjs');
const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
// Plain node, found on PATH for the bundle's `#!/usr/bin/env node`; nothing else to resolve modules from.
const env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, NODE_PATH: '', NODE_OPTIONS: '' };

let buildOutput = '';
test.before(async () => {
  const result = await run(process.execPath, ['--import=tsx', join(repo, 'scripts/build-device.ts'), '--out', tree], { cwd: repo, timeout: 120_000 });
  buildOutput = result.stdout;
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function walk(path: string): string[] {
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const full = join(path, entry.name);
    return entry.isDirectory() ? [full, ...walk(full)] : [full];
  });
}

/** `/usr/bin/hawkbit-rauc` of the tree with plain node; `options.env` adds to (or overrides) `env`. */
const device = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) =>
  run(join(tree, 'usr/bin/hawkbit-rauc'), args, { cwd: options.cwd ?? dir, env: { ...env, ...options.env }, timeout: options.timeout ?? 60_000 });

test('the build reports the bundle size and lays out the install tree', (t) => {
  t.regex(buildOutput, /hawkbit-rauc-bundle\.cjs: \d+ KiB, \S+\/hawkbit-rauc\.cjs: \d+ KiB, built in \d+ ms/);
  for (const file of [
    'usr/lib/hawkbit-rauc/THIRD-PARTY-LICENSES',
    'usr/lib/systemd/system/hawkbit-rauc.service',
    'usr/lib/sysusers.d/hawkbit-rauc.conf',
    'usr/share/dbus-1/system.d/hawkbit-rauc.conf',
    'usr/share/polkit-1/rules.d/50-hawkbit-rauc.rules',
    'usr/share/doc/hawkbit-rauc/hawkbit-rauc.conf.example',
    'usr/share/doc/hawkbit-rauc/README.md',
  ]) {
    t.true(existsSync(join(tree, file)), file);
  }
  t.is(readFileSync(join(tree, 'usr/lib/systemd/system/hawkbit-rauc.service'), 'utf8'), readFileSync(join(repo, 'config/hawkbit-rauc.service'), 'utf8'));
  t.true(lstatSync(join(tree, 'usr/bin/hawkbit-rauc')).isSymbolicLink());
  t.is(readlinkSync(join(tree, 'usr/bin/hawkbit-rauc')), '../lib/hawkbit-rauc/hawkbit-rauc.cjs');
  t.is(lstatSync(START).mode & 0o777, 0o755);
  t.is(lstatSync(BUNDLE).mode & 0o777, 0o755);
  t.regex(readFileSync(join(tree, 'usr/lib/hawkbit-rauc/THIRD-PARTY-LICENSES'), 'utf8'), /^winston \d/m);
});

test('the bundle leaves out form-data and what it pulls in (multipart bodies are never sent)', (t) => {
  const licenses = readFileSync(join(tree, 'usr/lib/hawkbit-rauc/THIRD-PARTY-LICENSES'), 'utf8');
  t.regex(licenses, /^axios \d/m);
  for (const name of ['form-data', 'mime-types', 'mime-db', 'combined-stream', 'get-intrinsic']) t.notRegex(licenses, new RegExp(`^${name} \\d`, 'm'), name);
  t.regex(readFileSync(BUNDLE, 'utf8'), /multipart\/form-data bodies are not part of the hawkbit-rauc device build/);
});

test('the tree has no node_modules and no native add-on, and nothing above it provides modules', (t) => {
  const files = walk(tree);
  t.false(files.some((file) => file.includes('node_modules')));
  t.false(files.some((file) => file.endsWith('.node')));
  for (let at = dirname(BUNDLE); at !== parse(at).root; at = dirname(at)) t.false(existsSync(join(at, 'node_modules')), at);
});

test('the bundle runs with plain node, through its start script and alone: --version and --help', async (t) => {
  t.is((await device(['--version'])).stdout, `Version ${version}\n`);
  const help = await run(process.execPath, [BUNDLE, '--help'], { cwd: dir, env, timeout: 60_000 });
  t.regex(help.stdout, /^Usage: hawkbit-rauc/);
});

test('the start script keeps V8 at its baseline compiler (no optimising tier); a --max-opt given to node wins', async (t) => {
  // A preload asks V8, at exit (after the start script ran), to optimise a hot function now and
  // reports the function's optimisation status bits (natives syntax, allowed for this probe only).
  const probe = join(dir, 'opt-probe.cjs');
  writeFileSync(probe, `process.on('exit', () => {
    const f = new Function('x', 'let s = 0; for (let i = 0; i < 100; i++) s += i * x; return s;');
    const status = new Function('f', '%PrepareFunctionForOptimization(f); f(1); f(2); %OptimizeFunctionOnNextCall(f); f(3); return %GetOptimizationStatus(f);');
    process.stderr.write('opt-status ' + status(f) + '\\n');
  });\n`);
  const OPTIMIZED = 16; // V8's OptimizationStatus::kOptimized
  const statusOf = async (nodeArgs: string[], script: string) => {
    const result = await run(process.execPath, ['--allow-natives-syntax', ...nodeArgs, '--require', probe, script, '--version'], { cwd: dir, env, timeout: 60_000 });
    t.is(result.stdout, `Version ${version}\n`);
    return Number(/opt-status (\d+)/.exec(result.stderr)?.[1]);
  };
  t.is((await statusOf([], START)) & OPTIMIZED, 0, 'through the start script: not optimised');
  t.not((await statusOf([], BUNDLE)) & OPTIMIZED, 0, 'the bundle alone: optimised (the probe sees it)');
  t.not((await statusOf(['--max-opt=3'], START)) & OPTIMIZED, 0, 'node --max-opt=3: the start script leaves it');
});

test('the start script keeps V8\'s code cache in CACHE_DIRECTORY: written once, then taken as it is', async (t) => {
  const cacheDir = mkdtempSync(join(dir, 'cache-'));
  const cacheFile = join(cacheDir, 'code-cache', 'hawkbit-rauc-bundle.cjs.v8');
  const withCache = { CACHE_DIRECTORY: `${cacheDir}:/var/cache/other` };
  const start = (args: string[]) => device(args, { env: withCache });
  // Without CACHE_DIRECTORY (the command run by hand) nothing is written anywhere.
  await device(['--version']);
  t.false(existsSync(join(cacheDir, 'code-cache')));
  // The first run writes it at exit; a run that V8 takes it for writes nothing (the same file stays).
  const first = await start(['--version']);
  t.is(first.stdout, `Version ${version}\n`);
  t.is(first.stderr, '');
  const written = statSync(cacheFile);
  t.is(written.mode & 0o777, 0o600);
  const second = await start(['--help']);
  t.regex(second.stdout, /^Usage: hawkbit-rauc/);
  t.is(statSync(cacheFile).ino, written.ino, 'the cache was taken, not written again');
  // A damaged file is replaced by the next run, and that one is taken again.
  writeFileSync(cacheFile, readFileSync(cacheFile).subarray(0, 1000));
  t.is((await start(['--version'])).stdout, `Version ${version}\n`);
  const rewritten = statSync(cacheFile);
  t.not(rewritten.ino, written.ino);
  t.true(rewritten.size > 100_000, `${rewritten.size} bytes`);
  await start(['--version']);
  t.is(statSync(cacheFile).ino, rewritten.ino);
  // Node's own options do not count (the same cache is taken); a V8 flag does: V8 refuses the cache
  // made without it, the program compiles from its source, and the cache is written anew.
  await device(['--version'], { env: { ...withCache, NODE_OPTIONS: '--no-experimental-fetch' } });
  t.is(statSync(cacheFile).ino, rewritten.ino, 'a Node option does not invalidate the cache');
  const flagged = await device(['--version'], { env: { ...withCache, NODE_OPTIONS: '--max-semi-space-size=1' } });
  t.is(flagged.stdout, `Version ${version}\n`);
  t.not(statSync(cacheFile).ino, rewritten.ino, 'made under other V8 flags: refused and written anew');
  // A directory it cannot write to: one line on stderr, the run itself unharmed.
  const blocked = join(dir, 'not-a-directory');
  writeFileSync(blocked, '');
  const refused = await device(['--version'], { env: { CACHE_DIRECTORY: blocked } });
  t.is(refused.stdout, `Version ${version}\n`);
  t.regex(refused.stderr, /^hawkbit-rauc: the code cache was not saved \(.*not-a-directory\/code-cache\/hawkbit-rauc-bundle\.cjs\.v8: ENOTDIR\); the next start compiles the program again\n$/);
});

test('the bundle checks the example config: exit 0, token redacted, logger works', async (t) => {
  const example = readFileSync(join(repo, 'config/hawkbit-rauc.conf.example'), 'utf8');
  const token = /^auth_token\s*=\s*(\S+)/m.exec(example)?.[1];
  t.truthy(token);
  const result = await device(['--check-config', '-c', join(repo, 'config/hawkbit-rauc.conf.example')]);
  t.regex(result.stdout, /configuration is valid/);
  t.regex(result.stdout, /^auth_token = <redacted>$/m);
  t.false(`${result.stdout}${result.stderr}`.includes(token!));
  // A warning goes through winston: an unknown key is reported on stderr (text format).
  const withUnknown = join(dir, 'unknown-key.conf');
  writeFileSync(withUnknown, example.replace(/^\[device\]$/m, 'retry_wiat = 5\n\n[device]'));
  const warned = await device(['--check-config', '-c', withUnknown]);
  t.regex(warned.stderr, /warning +.*unknown key 'retry_wiat' ignored \(did you mean 'retry_wait'\?\)/);
  t.false(warned.stderr.includes(token!));
});

test('the bundle keeps the exit codes: missing config 3, invalid config 4', async (t) => {
  const missing = await device(['-c', join(dir, 'absent.conf')]).catch((error: { code: number; stderr: string }) => error);
  t.is('code' in missing ? missing.code : 0, 3);
  const invalid = join(dir, 'invalid.conf');
  writeFileSync(invalid, '[client]\nhawkbit_server = h\n');
  const failed = await device(['-c', invalid]).catch((error: { code: number; stderr: string }) => error);
  t.is('code' in failed ? failed.code : 0, 4);
  t.regex(failed.stderr, /^Loading config file failed: /);
});

test('dbus-next works bundled with the same options (probe against a private dbus-daemon)', async (t) => {
  const probe = join(dir, 'probe', 'dbus-probe.cjs');
  await build(deviceBundleOptions({ entry: join(repo, 'test/unit/ship/fixtures/dbus-probe.ts'), outfile: probe, version }));
  const socket = join(dir, 'bus');
  const daemon = spawn('dbus-daemon', ['--session', `--address=unix:path=${socket}`, '--nofork', '--print-address'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.teardown(() => daemon.kill());
  const address = await new Promise<string>((resolve, reject) => {
    daemon.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    daemon.once('exit', (code) => reject(new Error(`dbus-daemon exited ${code}`)));
  });
  const result = await run(process.execPath, [probe, address], { cwd: dir, env, timeout: 60_000 });
  const { names, introspection } = JSON.parse(result.stdout) as { names: string[]; introspection: string };
  t.true(names.includes('org.freedesktop.DBus'));
  // dbus-next's reply for a connection that exports nothing, built by the stand-in for xml2js.
  t.is(introspection, '<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n<node/>');
});

test('the bundle leaves out xml2js (dbus-next proxy objects) and winston\'s debug colours; a proxy object fails clearly', async (t) => {
  const licenses = readFileSync(join(tree, 'usr/lib/hawkbit-rauc/THIRD-PARTY-LICENSES'), 'utf8');
  t.regex(licenses, /^dbus-next \d/m);
  for (const name of ['xml2js', 'xmlbuilder', 'sax', '@so-ric/colorspace', 'kuler']) t.notRegex(licenses, new RegExp(`^${name} \\d`, 'm'), name);
  const probe = join(dir, 'probe', 'proxy-probe.cjs');
  await build(deviceBundleOptions({ entry: join(repo, 'test/unit/ship/fixtures/proxy-probe.ts'), outfile: probe, version }));
  const failed = await run(process.execPath, [probe], { cwd: dir, env, timeout: 60_000 }).catch((error: { code: number; stderr: string }) => error);
  t.is('code' in failed ? failed.code : 0, 1);
  t.regex(failed.stderr, /D-Bus proxy objects and exported objects are not part of the hawkbit-rauc device build/);
});

test('the bundle carries out a forced update: fake hawkBit, fake RAUC on a private bus, run once', async (t) => {
  const hb = await FakeHawkbit.start();
  t.teardown(() => hb.close());
  const bus = await startPrivateBus();
  t.teardown(() => bus.stop());
  const rauc = await FakeRaucService.start({ busAddress: bus.address, compatible: 'Test Device' });
  t.teardown(() => rauc.stop());
  const content = Buffer.from('a bundle for the device build test '.repeat(4096));
  const target = hb.addTarget('device-build-1', { token: 'device-build-token' });
  const { actionId } = target.pushDeployment({
    type: 'forced',
    chunks: [{ part: 'os', name: 'firmware', version: '3.0', artifacts: [{ filename: 'update.raucb', content }] }],
  });
  const work = mkdtempSync(join(dir, 'update-'));
  const config = join(work, 'device.conf');
  writeFileSync(config, [
    '[client]', `hawkbit_server = ${hb.hostPort}`, 'ssl = false', `tenant_id = ${hb.tenant}`, 'target_name = device-build-1',
    'auth_token = device-build-token', `bundle_download_location = ${join(work, 'update.raucb')}`, `state_dir = ${join(work, 'state')}`,
    '[device]', 'product = Example Board', '',
  ].join('\n'));

  // As under the unit: from V8's code cache, which a first run (here --version) left in CACHE_DIRECTORY.
  const withCache = { ...bus.env, CACHE_DIRECTORY: join(work, 'cache') };
  await device(['--version'], { cwd: work, env: withCache });
  const cached = statSync(join(work, 'cache', 'code-cache', 'hawkbit-rauc-bundle.cjs.v8')).ino;
  const result = await device(['-r', '-s', '-c', config], { cwd: work, env: withCache, timeout: 120_000 });
  t.is(statSync(join(work, 'cache', 'code-cache', 'hawkbit-rauc-bundle.cjs.v8')).ino, cached, 'the update ran from the cache');

  t.regex(result.stdout, new RegExp(`run once: action ${actionId} `));
  t.is(target.action(actionId).status, 'finished');
  const install = rauc.calls.find((call) => call.method === 'InstallBundle');
  t.is(install?.received?.sha256, createHash('sha256').update(content).digest('hex'));
  t.false(result.stdout.includes('device-build-token'));
});
