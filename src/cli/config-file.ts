import type { Writable } from 'node:stream';
import { isConfigError, loadConfig, type LoadedConfig } from '../config/index.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** Loads `-c FILE`, or prints why not and returns the exit code (the service's and the fleet's rules). */
export function loadConfigFile(file: string | undefined, stderr: Writable): LoadedConfig | ExitCodeValue {
  if (file === undefined) {
    stderr.write('No configuration file given\n');
    return ExitCode.NO_CONFIG;
  }
  try {
    return loadConfig(file);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    if (error.code === 'CONFIG_NOT_FOUND') {
      stderr.write(`No such configuration file: ${file}\n`);
      return ExitCode.CONFIG_MISSING;
    }
    stderr.write(`Loading config file failed: ${error.message}\n`);
    return ExitCode.CONFIG_INVALID;
  }
}
