import { parseArgs } from 'node:util';
import type { ArtifactMode } from '../fleet/index.js';
import { closestMatch } from '../lib/suggest.js';
import { UsageError } from './parse-args.js';

/** `hawkbit-rauc fleet …` as parsed; times in milliseconds, rates 0–1. */
export interface FleetArguments {
  readonly configFile: string | undefined;
  readonly debug: boolean;
  readonly devices: number | undefined;
  readonly prefix: string;
  readonly deviceList: string | undefined;
  readonly groups: number;
  readonly dir: string;
  readonly installMs: number;
  readonly rebootMs: number;
  readonly failureRate: number;
  readonly groupFailureRates: ReadonlyMap<string, number>;
  readonly rollbackRate: number;
  readonly artifacts: ArtifactMode;
  readonly downloadConcurrency: number;
  readonly feedbackConcurrency: number;
  readonly writesPerSecond: number;
  readonly readsPerSecond: number;
  readonly rampUpMs: number;
  readonly compatible: string;
  readonly exitWhenDone: boolean;
  readonly idleExitMs: number | undefined;
  readonly durationMs: number | undefined;
  readonly view: boolean;
}

const OPTIONS = {
  'config-file': { type: 'string', short: 'c' },
  debug: { type: 'boolean', short: 'd' },
  devices: { type: 'string', short: 'n' },
  prefix: { type: 'string' },
  'device-list': { type: 'string' },
  groups: { type: 'string' },
  dir: { type: 'string' },
  'install-time': { type: 'string' },
  'reboot-time': { type: 'string' },
  'failure-rate': { type: 'string' },
  'group-failure-rate': { type: 'string', multiple: true },
  'rollback-rate': { type: 'string' },
  artifacts: { type: 'string' },
  'download-concurrency': { type: 'string' },
  'feedback-concurrency': { type: 'string' },
  'writes-per-second': { type: 'string' },
  'reads-per-second': { type: 'string' },
  'ramp-up': { type: 'string' },
  compatible: { type: 'string' },
  'exit-when-done': { type: 'boolean' },
  'idle-exit': { type: 'string' },
  duration: { type: 'string' },
  'no-view': { type: 'boolean' },
} as const;

export const FLEET_USAGE = `Usage: hawkbit-rauc fleet -c FILE (--devices N | --device-list FILE.csv) [OPTION…]

Runs many virtual devices in one process against the configured hawkBit: each one the real agent (DDI
client, downloader with full verification, lifecycle, state) with a simulated RAUC and reboot. Shows a
live view, and at the end (or on Ctrl-C) a report, also written to DIR/fleet-report.json. A second run
on the same DIR continues every device where it stopped.

Devices:
  -n, --devices N              N devices named PREFIX0000, PREFIX0001, … (gateway_token serves all)
      --prefix P               controller id prefix (default fleet-)
      --groups N               split the numbered devices into N groups 1…N of consecutive ids (default 1)
      --device-list FILE       CSV: header controller_id[,target_token][,group], one line per device
      --dir DIR                fleet directory: devices/<id>/, progress, report (default ./hawkbit-rauc-fleet)
Simulation:
      --install-time S         seconds one installation takes, progress in ten steps (default 10)
      --reboot-time S          seconds a reboot takes (default 5)
      --failure-rate R         installations that fail: 0…1 or a percentage, e.g. 5% (default 0);
                               spread evenly: with 5% every 20th installation of a group fails
      --group-failure-rate G=R the failure rate of group G (repeatable; wins over --failure-rate)
      --rollback-rate R        reboots into the new slot that fall back to the old one (default 0)
      --compatible C           the simulated RAUC's compatible (default hawkbit-rauc-fleet)
      --artifacts MODE         discard: verify, then keep an empty file (default); store: keep one
                               copy per SHA-256 in DIR/artifacts, hard-linked into each device
Load:
      --download-concurrency N downloads at once, all devices together (default 8)
      --feedback-concurrency N feedback and other writes at once (default 8)
      --writes-per-second N    writes started per second (default 40; hawkBit's DoS filter allows 50)
      --reads-per-second N     polls and other reads started per second (default 150)
      --ramp-up S              device starts spread over S seconds, and so their polls (default 10)
End:
      --exit-when-done         end when every device's latest action is closed
      --idle-exit S            end when no action was under way for S seconds (after one closed)
      --duration S             end after S seconds
      --no-view                no live screen: a progress line every 5 s instead
  -d, --debug                  log everything to DIR/fleet.log
`;

export function parseFleetArguments(argv: readonly string[]): FleetArguments {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true });
  } catch (error) {
    const option = /'(-[^']*)'/.exec((error as Error).message)?.[1];
    const suggestion = option?.startsWith('--') ? closestMatch(option.split('=')[0]!, Object.keys(OPTIONS).map((name) => `--${name}`)) : undefined;
    const text = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option ? `Unknown option '${option}'` : (error as Error).message;
    throw new UsageError(`fleet: ${text}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`, { cause: error });
  }
  const v = parsed.values;
  if ((v.devices === undefined) === (v['device-list'] === undefined)) throw new UsageError('fleet: give either --devices N or --device-list FILE');
  if (v['device-list'] !== undefined && (v.groups !== undefined || v.prefix !== undefined)) throw new UsageError('fleet: --groups and --prefix go with --devices; a device list names its groups in its group column');
  const artifacts = v.artifacts ?? 'discard';
  if (artifacts !== 'discard' && artifacts !== 'store') throw new UsageError(`fleet: --artifacts ${artifacts}: expected discard or store`);
  const groupFailureRates = new Map<string, number>();
  for (const entry of v['group-failure-rate'] ?? []) {
    const match = /^([^=]+)=(.+)$/.exec(entry);
    if (!match) throw new UsageError(`fleet: --group-failure-rate ${entry}: expected GROUP=RATE, e.g. 1=50%`);
    groupFailureRates.set(match[1]!.trim(), rate('--group-failure-rate', match[2]!));
  }
  return {
    configFile: v['config-file'],
    debug: v.debug ?? false,
    devices: v.devices === undefined ? undefined : integer('--devices', v.devices, 1, 100_000),
    prefix: v.prefix ?? 'fleet-',
    deviceList: v['device-list'],
    groups: v.groups === undefined ? 1 : integer('--groups', v.groups, 1, 1000),
    dir: v.dir ?? 'hawkbit-rauc-fleet',
    installMs: secondsOf('--install-time', v['install-time'] ?? '10'),
    rebootMs: secondsOf('--reboot-time', v['reboot-time'] ?? '5'),
    failureRate: rate('--failure-rate', v['failure-rate'] ?? '0'),
    groupFailureRates,
    rollbackRate: rate('--rollback-rate', v['rollback-rate'] ?? '0'),
    artifacts,
    downloadConcurrency: integer('--download-concurrency', v['download-concurrency'] ?? '8', 1, 10_000),
    feedbackConcurrency: integer('--feedback-concurrency', v['feedback-concurrency'] ?? '8', 1, 10_000),
    writesPerSecond: integer('--writes-per-second', v['writes-per-second'] ?? '40', 1, 1_000_000),
    readsPerSecond: integer('--reads-per-second', v['reads-per-second'] ?? '150', 1, 1_000_000),
    rampUpMs: secondsOf('--ramp-up', v['ramp-up'] ?? '10'),
    compatible: v.compatible ?? 'hawkbit-rauc-fleet',
    exitWhenDone: v['exit-when-done'] ?? false,
    idleExitMs: v['idle-exit'] === undefined ? undefined : secondsOf('--idle-exit', v['idle-exit']),
    durationMs: v.duration === undefined ? undefined : secondsOf('--duration', v.duration),
    view: !(v['no-view'] ?? false),
  };
}

function integer(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`fleet: ${option} ${text}: expected a whole number from ${min} to ${max}`);
  return value;
}

function secondsOf(option: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`fleet: ${option} ${text}: expected seconds (a number ≥ 0, e.g. 2.5)`);
  return Math.round(value * 1000);
}

/** `0.25` or `25%`. */
function rate(option: string, text: string): number {
  const percent = text.trim().endsWith('%');
  const value = Number(percent ? text.trim().slice(0, -1) : text);
  const share = percent ? value / 100 : value;
  if (text.trim() === '' || !Number.isFinite(share) || share < 0 || share > 1) throw new UsageError(`fleet: ${option} ${text}: expected a rate from 0 to 1, or a percentage (e.g. 0.05 or 5%)`);
  return share;
}
