import { createAgent } from './agent/index.js';
import type { Config } from './config/index.js';
import { errorMessage } from './lib/errors.js';
import type { Logger, Redactor } from './log/index.js';
import { isTransportConfigError } from './net/index.js';

/** The signal the service takes as "poll now" (`hawkbit-rauc poll-now`; SIGUSR1 is Node's inspector signal). */
export const POLL_NOW_SIGNAL = 'SIGUSR2';

export interface ServiceOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly runOnce: boolean;
  readonly signal: AbortSignal;
  /** The redaction step the logger uses, for the agent's other outputs (status and state files, feedback). */
  readonly redactor?: Redactor;
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
 */
export async function runService(options: ServiceOptions): Promise<ServiceEnd> {
  const { config, log } = options;
  let assembly;
  try {
    assembly = createAgent(config, { log, ...(options.redactor ? { redactor: options.redactor } : {}) });
  } catch (error) {
    if (!isTransportConfigError(error)) throw error;
    process.stderr.write(`Loading config file failed: ${config.file}: ${errorMessage(error)}\n`);
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
