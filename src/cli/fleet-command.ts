import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { configSecrets } from '../config/index.js';
import { devicesFromCsv, HeapGrowthBound, isFleetRosterError, LiveView, numberedDevices, reportTable, REPORT_FILE, runFleet, type VirtualDevice } from '../fleet/index.js';
import { errorMessage } from '../lib/errors.js';
import { createLogger, Redactor } from '../log/index.js';
import { serviceConfigError } from '../main.js';
import { SyncedClock } from '../system/index.js';
import { loadConfigFile } from './config-file.js';
import { ExitCode } from './exit-codes.js';
import { FLEET_USAGE, parseFleetArguments, type FleetArguments } from './fleet-args.js';
import { UsageError } from './parse-args.js';

/** What the command needs of the CLI (run-cli.ts's CliContext fits). */
export interface FleetCommandContext {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Aborted on SIGTERM/SIGINT: the fleet stops, every state kept. */
  readonly signal: AbortSignal;
}

/**
 * `hawkbit-rauc fleet`: the virtual devices of `src/fleet/` from the command line. The log goes to
 * DIR/fleet.log (the terminal shows the live view), the report to the terminal and DIR/fleet-report.json.
 */
export async function runFleetCommand(argv: readonly string[], context: FleetCommandContext): Promise<number> {
  const say = (stream: Writable, text: string) => stream.write(text.endsWith('\n') ? text : `${text}\n`);
  if (argv.includes('--help') || argv.includes('-h')) {
    say(context.stdout, FLEET_USAGE);
    return ExitCode.OK;
  }
  let args: FleetArguments;
  let devices: VirtualDevice[];
  try {
    args = parseFleetArguments(argv);
    devices = args.deviceList === undefined ? numberedDevices(args.prefix, args.devices!, args.groups) : devicesFromCsv(args.deviceList);
  } catch (error) {
    if (!(error instanceof UsageError) && !isFleetRosterError(error)) throw error;
    say(context.stderr, `option parsing failed: ${error.message}\nTry 'hawkbit-rauc fleet --help'.`);
    return ExitCode.FAILURE;
  }
  const loaded = loadConfigFile(args.configFile, context.stderr);
  if (typeof loaded === 'number') return loaded;
  const { config } = loaded;
  const refused = serviceConfigError(config);
  if (refused) {
    say(context.stderr, `Loading config file failed: ${refused.message}`);
    return ExitCode.CONFIG_INVALID;
  }
  const withoutToken = devices.filter((device) => device.token === undefined);
  if (withoutToken.length > 0 && config.auth.kind !== 'gateway-token' && devices.length > 1) {
    say(
      context.stderr,
      `Loading config file failed: ${config.file}: the fleet's ${devices.length} devices need [client] gateway_token (one credential for every target), or a device list with a target_token per device (${withoutToken.length} have none)`,
    );
    return ExitCode.CONFIG_INVALID;
  }
  const unknownGroups = [...args.groupFailureRates.keys()].filter((group) => !devices.some((device) => device.group === group));
  if (unknownGroups.length > 0) {
    say(context.stderr, `option parsing failed: fleet: --group-failure-rate names group ${unknownGroups.map((group) => `'${group}'`).join(', ')}, which no device is in\nTry 'hawkbit-rauc fleet --help'.`);
    return ExitCode.FAILURE;
  }
  const dir = resolve(args.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const redactor = new Redactor([...configSecrets(config, process.env), ...devices.flatMap((device) => (device.token === undefined ? [] : [device.token]))]);
  const logStream = createWriteStream(join(dir, 'fleet.log'), { flags: 'a', mode: 0o600 });
  const log = createLogger({ level: args.debug ? 'debug' : config.logLevel, format: 'text', redactor, stream: logStream });
  const rates = args.groupFailureRates;
  say(context.stderr, `hawkbit-rauc fleet: ${devices.length} virtual devices, directory ${dir} (log: fleet.log); Ctrl-C stops and keeps every device's state`);
  try {
    const report = await runFleet(
      {
        dir,
        devices,
        config,
        log,
        redactor,
        clock: new SyncedClock({ log: log.child({ component: 'system' }) }),
        env: process.env,
        compatible: args.compatible,
        installMs: args.installMs,
        rebootMs: args.rebootMs,
        failureRate: (group) => rates.get(group) ?? args.failureRate,
        rollbackRate: args.rollbackRate,
        artifacts: args.artifacts,
        rampUpMs: args.rampUpMs,
        limits: {
          read: { concurrency: Number.POSITIVE_INFINITY, perSecond: args.readsPerSecond },
          download: { concurrency: args.downloadConcurrency, perSecond: Number.POSITIVE_INFINITY },
          write: { concurrency: args.feedbackConcurrency, perSecond: args.writesPerSecond },
        },
        end: { whenDone: args.exitWhenDone, idleMs: args.idleExitMs, durationMs: args.durationMs },
        view: new LiveView(context.stdout, args.view ? {} : { terminal: false }),
        // The process is the fleet's: its heap grows by less between collections while devices update.
        heap: new HeapGrowthBound(),
      },
      context.signal,
    );
    say(context.stdout, redactor.text(reportTable(report)));
    say(context.stdout, `report: ${join(dir, REPORT_FILE)}`);
    return ExitCode.OK;
  } catch (error) {
    say(context.stderr, `hawkbit-rauc fleet: ${redactor.text(errorMessage(error))}`);
    return ExitCode.FAILURE;
  } finally {
    await new Promise<void>((done) => logStream.end(done));
  }
}
