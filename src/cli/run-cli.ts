import type { Writable } from 'node:stream';
import { configSecrets, describeConfig, type LoadedConfig } from '../config/index.js';
import { createLogger, Redactor, type Logger } from '../log/index.js';
import { runService, serviceConfigError, type ServiceEnd } from '../main.js';
import { packageVersion } from '../version.js';
import { loadConfigFile } from './config-file.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { decide, showStatus } from './local-commands.js';
import { parseCliArguments, UsageError, USAGE, type CliArguments } from './parse-args.js';
import { pollNow } from './poll-now.js';

/** The exit code for each way the service ends. */
const SERVICE_EXIT_CODES: Readonly<Record<ServiceEnd, ExitCodeValue>> = Object.freeze({
  ok: ExitCode.OK,
  failed: ExitCode.FAILURE,
  invalidSetting: ExitCode.CONFIG_INVALID,
});

export interface CliContext {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Aborted on SIGTERM/SIGINT. */
  readonly signal: AbortSignal;
}

/** Runs one command line to its exit code. Never throws for user errors; prints them instead. */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const say = (stream: Writable, text: string) => stream.write(text.endsWith('\n') ? text : `${text}\n`);
  const fleetAt = argv.indexOf('fleet');
  if (fleetAt >= 0 && !['-c', '--config-file'].includes(argv[fleetAt - 1] ?? '')) {
    // Loaded only for `fleet`: the device's service never needs the fleet's modules (docs/performance.md).
    const { runFleetCommand } = await import('./fleet-command.js');
    return runFleetCommand([...argv.slice(0, fleetAt), ...argv.slice(fleetAt + 1)], context);
  }
  let args: CliArguments;
  try {
    args = parseCliArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(context.stderr, `option parsing failed: ${error.message}\nTry 'hawkbit-rauc --help'.`);
    return ExitCode.FAILURE;
  }
  if (args.command === 'help') {
    say(context.stdout, USAGE);
    return ExitCode.OK;
  }
  if (args.command === 'version') {
    say(context.stdout, `Version ${packageVersion()}`);
    return ExitCode.OK;
  }
  const loaded = loadConfigFile(args.configFile, context.stderr);
  if (typeof loaded === 'number') return loaded;

  const { config } = loaded;
  const format = args.outputSystemd ? 'journal' : config.logFormat;
  // One redaction step for the log, the command output, and the service's files and feedback.
  const redactor = new Redactor(configSecrets(config, process.env));
  const log = createLogger({
    level: args.debug ? 'debug' : config.logLevel,
    format,
    redactor,
    // journald reads a service's stdout; text and JSON logs keep stdout free for command output.
    stream: format === 'journal' ? context.stdout : context.stderr,
  });
  reportWarnings(loaded, log);

  if (args.command === 'check-config' || args.command === 'run') {
    const refused = serviceConfigError(config);
    if (refused) {
      say(context.stderr, `Loading config file failed: ${refused.message}`);
      return ExitCode.CONFIG_INVALID;
    }
  }
  if (args.command === 'check-config') {
    say(context.stdout, redactor.text(`# ${config.file}: configuration is valid\n${describeConfig(config)}`));
    return ExitCode.OK;
  }
  if (args.command === 'status') return showStatus(config, log, context.stdout, redactor);
  if (args.command === 'poll-now') return pollNow(config, context.stdout, context.stderr, { signal: context.signal });
  if (args.command === 'confirm' || args.command === 'deny') {
    return decide(config, args.actionId!, args.command === 'confirm' ? 'confirmed' : 'denied', context.stdout);
  }
  return SERVICE_EXIT_CODES[await runService({ config, log, runOnce: args.runOnce, signal: context.signal, redactor, stderr: context.stderr })];
}

function reportWarnings(loaded: LoadedConfig, log: Logger): void {
  for (const warning of loaded.warnings) log.warning(`${loaded.config.file}: ${warning.message}`, { key: warning.key });
  if (loaded.config.ssl && !loaded.config.sslVerify) {
    log.warning('TLS certificate verification is OFF (ssl_verify = false): the server is not authenticated');
  }
}
