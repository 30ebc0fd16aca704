import { createAgent } from './agent/create-agent.js';
import { ExitCode } from './cli/exit-codes.js';
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
 * Composition root: builds the DDI client, downloader, RAUC installer and state store from the config
 * and runs the update agent until `signal` aborts (or, with `runOnce`, until one poll is handled).
 * Exit codes: 0 stopped by a signal, or run-once success / nothing to do; 1 run-once failure;
 * 4 settings that only fail when used (e.g. an OpenSSL engine).
 */
export async function runService(options: ServiceOptions): Promise<number> {
  const { config, log } = options;
  let assembly;
  try {
    assembly = createAgent(config, { log, ...(options.redactor ? { redactor: options.redactor } : {}) });
  } catch (error) {
    if (!isTransportConfigError(error)) throw error;
    process.stderr.write(`Loading config file failed: ${config.file}: ${errorMessage(error)}\n`);
    return ExitCode.CONFIG_INVALID;
  }
  log.message(`hawkbit-rauc started: ${config.ssl ? 'https' : 'http'}://${config.hawkbitServer}, tenant ${config.tenantId}, target ${config.targetName}`);
  // `hawkbit-rauc poll-now` (or `systemctl kill -s USR2 hawkbit-rauc`): poll at once.
  const pollNow = () => assembly.agent.pollNow();
  if (!options.runOnce) process.on(POLL_NOW_SIGNAL, pollNow);
  try {
    if (!options.runOnce) {
      await assembly.agent.run(options.signal);
      log.message('stopped');
      return ExitCode.OK;
    }
    const result = await assembly.agent.runOnce(options.signal);
    if (result.actionId === undefined) {
      log.message('run once: nothing to do');
      return ExitCode.OK;
    }
    const end = result.end;
    const failed = end === undefined || ((end.end === 'finished' || end.end === 'reportPending') && end.outcome.result === 'failure');
    log.message(`run once: action ${result.actionId} ${end ? end.end : 'stopped'}${end && 'outcome' in end ? ` (${end.outcome.result})` : ''}`);
    return failed && !options.signal.aborted ? ExitCode.FAILURE : ExitCode.OK;
  } finally {
    process.off(POLL_NOW_SIGNAL, pollNow);
    await assembly.close();
  }
}
