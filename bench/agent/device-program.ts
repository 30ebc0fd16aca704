// Which program bench:agent measures: by default what a device runs — the device build of `npm run
// build:device` (its start script and bundle), started with the command-line options, the environment
// and the cache directory of the shipped systemd unit (config/hawkbit-rauc.service, read here, so the
// benchmark follows the unit when it changes).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The device build's start script, which runs its bundle (what /usr/bin/hawkbit-rauc links to). */
export const DEVICE_BUNDLE = fileURLToPath(new URL('../../dist-device/usr/lib/hawkbit-rauc/hawkbit-rauc.cjs', import.meta.url));
export const DIST_CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const UNIT = fileURLToPath(new URL('../../config/hawkbit-rauc.service', import.meta.url));

export interface AgentProgram {
  /** The script node runs. */
  readonly cli: string;
  /** Options before `-c <config>` (the unit's ExecStart has `-s`: journal output on stdout). */
  readonly args: readonly string[];
  /** Added to the environment (the unit's `Environment=` lines). */
  readonly env: Readonly<Record<string, string>>;
  /** One line for the report: what was measured, and how. */
  readonly description: string;
  /** The device bundle, with the unit's options and environment: the figure a device sees. */
  readonly asOnDevice: boolean;
}

/**
 * BENCH_AGENT_CLI: another script (the base build's bundle, or a `dist/cli.js`) instead of the device
 * bundle, under the same unit options and environment, so that an A/B compares like with like.
 * BENCH_AGENT_PLAIN=1: neither the unit's options nor its environment (how the benchmark ran before).
 * BENCH_AGENT_ENV="NAME=value …": more environment for the agent only, e.g. to measure a setting for the
 * unit before it goes there.
 */
export function benchProgram(env: NodeJS.ProcessEnv = process.env): AgentProgram {
  const cli = env.BENCH_AGENT_CLI || DEVICE_BUNDLE;
  if (!existsSync(cli)) throw new Error(`${cli} does not exist${cli === DEVICE_BUNDLE ? ' (npm run build:device builds it)' : ''}`);
  const plain = env.BENCH_AGENT_PLAIN === '1';
  const unit = plain ? { args: [], env: {} } : shippedUnit();
  const extra = assignments(env.BENCH_AGENT_ENV ?? '');
  const what = cli === DEVICE_BUNDLE ? 'the device bundle' : cli === DIST_CLI ? 'dist/cli.js (not what a device runs)' : 'BENCH_AGENT_CLI (not this tree)';
  const how = plain
    ? 'without the unit\'s options and environment (BENCH_AGENT_PLAIN=1)'
    : `with the unit's options and environment: ${unitSettings(unit)}`;
  const more = Object.keys(extra).length > 0 ? `, and BENCH_AGENT_ENV ${Object.entries(extra).map(([k, v]) => `${k}=${v}`).join(' ')}` : '';
  const asOnDevice = cli === DEVICE_BUNDLE && !plain && more === '';
  return { cli, args: unit.args, env: { ...unit.env, ...extra }, description: `${what}, ${cli}, ${how}${more}`, asOnDevice };
}

/**
 * The shipped unit's (config/hawkbit-rauc.service) ExecStart options and environment. Its
 * `CacheDirectory=` and `RuntimeDirectory=` become CACHE_DIRECTORY and RUNTIME_DIRECTORY, as systemd
 * passes them, in new scratch directories for each call (removed at exit): each program measured starts
 * with no code cache, as on a device's first start. The runtime directory is made on tmpfs (/dev/shm),
 * as /run is on a device, when this machine has it.
 */
export function shippedUnit(): { args: string[]; env: Record<string, string> } {
  const { args, env, cacheDirectory, runtimeDirectory } = unitCommand(readFileSync(UNIT, 'utf8'));
  const scratch = (parent: string) => {
    const dir = mkdtempSync(join(parent, 'hawkbit-rauc-bench-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const extra: Record<string, string> = {};
  if (cacheDirectory !== undefined) extra.CACHE_DIRECTORY = join(scratch(tmpdir()), cacheDirectory);
  if (runtimeDirectory !== undefined) {
    extra.RUNTIME_DIRECTORY = join(scratch(isTmpfs('/dev/shm') ? '/dev/shm' : tmpdir()), runtimeDirectory);
    mkdirSync(extra.RUNTIME_DIRECTORY);
  }
  return { args, env: { ...env, ...extra } };
}

/** `dir` is a mount point of tmpfs (Linux: /proc/mounts). */
function isTmpfs(dir: string): boolean {
  try {
    return readFileSync('/proc/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === dir && line.split(' ')[2] === 'tmpfs');
  } catch {
    return false;
  }
}

/** One line for a report: the options, then the assignments. */
export function unitSettings(unit: { readonly args: readonly string[]; readonly env: Readonly<Record<string, string>> }): string {
  return [...unit.args, ...Object.entries(unit.env).map(([k, v]) => `${k}=${v}`)].join(' ');
}

/** ExecStart's options before `-c`, the `Environment=` assignments, `CacheDirectory=` and `RuntimeDirectory=` of a unit's [Service] section. */
export function unitCommand(text: string): { args: string[]; env: Record<string, string>; cacheDirectory?: string; runtimeDirectory?: string } {
  const env: Record<string, string> = {};
  let args: string[] = [];
  let cacheDirectory: string | undefined;
  let runtimeDirectory: string | undefined;
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) section = line;
    if (section !== '[Service]' || line.startsWith('#')) continue;
    const [key, ...rest] = line.split('=');
    const value = rest.join('=');
    if (key === 'ExecStart') {
      const words = value.split(/\s+/).slice(1);
      const config = words.indexOf('-c');
      args = config < 0 ? words : words.slice(0, config);
    }
    if (key === 'Environment') Object.assign(env, assignments(value));
    if (key === 'CacheDirectory') cacheDirectory = value.split(/\s+/)[0];
    if (key === 'RuntimeDirectory') runtimeDirectory = value.split(/\s+/)[0];
  }
  return { args, env, ...(cacheDirectory ? { cacheDirectory } : {}), ...(runtimeDirectory ? { runtimeDirectory } : {}) };
}

/** One or more KEY=VALUE, space-separated, each optionally in double quotes (as systemd.exec(5) has them). */
function assignments(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/"([^"]*)"|(\S+)/g)) {
    const assignment = match[1] ?? match[2] ?? '';
    const at = assignment.indexOf('=');
    if (at > 0) env[assignment.slice(0, at)] = assignment.slice(at + 1);
  }
  return env;
}
