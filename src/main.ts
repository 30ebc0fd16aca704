import type { Writable } from 'node:stream';
import { createAgent } from './agent/index.js';
import { ConfigError, configSecrets, type Config } from './config/index.js';
import { errorMessage } from './lib/errors.js';
import { sanitizeForTerminal } from './lib/sanitize.js';
import { Redactor, type Logger } from './log/index.js';
import { createTransport, isTransportConfigError, type TransportConfigError } from './net/index.js';

/** The signal the service takes as "poll now" (`hawkbit-rauc poll-now`; SIGUSR1 is Node's inspector signal). */
export const POLL_NOW_SIGNAL = 'SIGUSR2';

export interface ServiceOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly runOnce: boolean;
  readonly signal: AbortSignal;
  /** The redaction step the logger uses, for the agent's other outputs (status and state files, feedback). */
  readonly redactor?: Redactor;
  /** Where run-once prints why it failed (default: the process's stderr). */
  readonly stderr?: Writable;
}

/**
 * How the service ended (the CLI maps it to its exit code: 0, 1, 4): `ok` stopped by a signal, or a
 * run-once that succeeded or had nothing to do; `failed` a run-once that failed; `invalidSetting` a
 * setting that only fails when used (e.g. an OpenSSL engine).
 */
export type ServiceEnd = 'ok' | 'failed' | 'invalidSetting';

/**
 * Composition root: builds the DDI client, downloader, RAUC installer and state store from the config
 * and runs the update agent until `signal` aborts (or, with `runOnce`, until one poll is handled).
 * Run-once failures (the poll failed, or the action it offered failed) print the cause on stderr.
 */
export async function runService(options: ServiceOptions): Promise<ServiceEnd> {
  const { config, log } = options;
  let assembly;
  try {
    assembly = createAgent(config, { log, ...(options.redactor ? { redactor: options.redactor } : {}) });
  } catch (error) {
    if (!isTransportConfigError(error)) throw error;
    // serviceConfigError() (run by the CLI before the service and by --check-config) refuses these first.
    (options.stderr ?? process.stderr).write(`Loading config file failed: ${asConfigError(error, config.file).message}\n`);
    return 'invalidSetting';
  }
  log.message(`hawkbit-rauc started: ${config.ssl ? 'https' : 'http'}://${config.hawkbitServer}, tenant ${config.tenantId}, target ${config.targetName}`);
  // `hawkbit-rauc poll-now` (or `systemctl kill -s USR2 hawkbit-rauc`): poll at once.
  const pollNow = () => assembly.agent.pollNow();
  if (!options.runOnce) process.on(POLL_NOW_SIGNAL, pollNow);
  try {
    if (!options.runOnce) {
      await assembly.agent.run(options.signal);
      log.message('stopped');
      return 'ok';
    }
    const result = await assembly.agent.runOnce(options.signal);
    if (result.error !== undefined && !options.signal.aborted) {
      const redactor = options.redactor ?? new Redactor(configSecrets(config, process.env));
      const cause = sanitizeForTerminal(redactor.text(errorMessage(result.error)), { singleLine: true });
      (options.stderr ?? process.stderr).write(`hawkbit-rauc: run once failed: poll failed: ${cause}\n`);
      return 'failed';
    }
    if (result.actionId === undefined) {
      log.message('run once: nothing to do');
      return 'ok';
    }
    const end = result.end;
    const failed = end === undefined || ((end.end === 'finished' || end.end === 'reportPending') && end.outcome.result === 'failure');
    log.message(`run once: action ${result.actionId} ${end ? end.end : 'stopped'}${end && 'outcome' in end ? ` (${end.outcome.result})` : ''}`);
    return failed && !options.signal.aborted ? 'failed' : 'ok';
  } finally {
    process.off(POLL_NOW_SIGNAL, pollNow);
    await assembly.close();
  }
}

/**
 * What the service refuses at start beyond the config file's own rules: the connection settings as the
 * transport builds them (an OpenSSL engine, an unsupported proxy, also from HTTPS_PROXY/HTTP_PROXY).
 * The CLI runs this one check for the service and for --check-config, so both refuse the same configs
 * with the same exit code and message. Nothing is connected.
 */
export function serviceConfigError(config: Config, env: NodeJS.ProcessEnv = process.env): ConfigError | undefined {
  try {
    createTransport({ ...config, env }).destroy();
    return undefined;
  } catch (error) {
    if (!isTransportConfigError(error)) throw error;
    return asConfigError(error, config.file);
  }
}

/** A config key keeps the config's `[client] key:` form; an environment variable is named as one. */
function asConfigError(error: TransportConfigError, file: string): ConfigError {
  const fromEnv = /_proxy$/i.test(error.key);
  return new ConfigError(
    fromEnv
      ? { code: 'CONFIG_INVALID', file, reason: `environment variable ${error.key}: ${error.message}` }
      : { code: 'CONFIG_INVALID', file, key: `client.${error.key}`, reason: error.message },
    { cause: error },
  );
}
