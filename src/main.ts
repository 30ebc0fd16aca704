import type { Config } from './config/index.js';
import type { Logger } from './log/index.js';
import { ExitCode } from './cli/exit-codes.js';

export interface ServiceOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly runOnce: boolean;
  readonly signal: AbortSignal;
}

/**
 * Composition root: builds the DDI client, downloader, RAUC installer and state store from the config
 * and runs the update agent until `signal` aborts (or, with `runOnce`, until one poll is handled).
 */
export async function runService(options: ServiceOptions): Promise<number> {
  options.log.error(
    `configuration ${options.config.file} is valid, but this build has no update agent yet: nothing to run`,
  );
  return ExitCode.FAILURE;
}
