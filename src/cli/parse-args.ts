import { parseArgs } from 'node:util';

export type CommandName = 'run' | 'check-config' | 'version' | 'help';

export interface CliArguments {
  readonly command: CommandName;
  readonly configFile: string | undefined;
  readonly debug: boolean;
  readonly runOnce: boolean;
  readonly outputSystemd: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

const OPTIONS = {
  'config-file': { type: 'string', short: 'c' },
  version: { type: 'boolean', short: 'v' },
  debug: { type: 'boolean', short: 'd' },
  'run-once': { type: 'boolean', short: 'r' },
  'output-systemd': { type: 'boolean', short: 's' },
  'check-config': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** rauc-hawkbit-updater's options plus ours; throws UsageError for anything it does not understand. */
export function parseCliArguments(argv: readonly string[]): CliArguments {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const command: CommandName = values.help
    ? 'help'
    : values.version
      ? 'version'
      : values['check-config']
        ? 'check-config'
        : 'run';
  return {
    command,
    configFile: values['config-file'],
    debug: values.debug ?? false,
    runOnce: values['run-once'] ?? false,
    outputSystemd: values['output-systemd'] ?? false,
  };
}

export const USAGE = `Usage: hawkbit-rauc [OPTION…]

Polls an Eclipse hawkBit server and installs the updates it assigns with RAUC.

Options:
  -c, --config-file FILE   configuration file (required)
  -r, --run-once           poll once, carry out any update that is waiting, then exit
  -d, --debug              log everything (log_level = debug)
  -s, --output-systemd     log for journald (log_format = journal)
      --check-config       validate the configuration, print it with secrets redacted, and exit
  -v, --version            print the version and exit
  -h, --help               print this help and exit

Exit codes: 0 success · 1 option error or failed run · 2 no configuration file given ·
3 configuration file missing · 4 configuration invalid.
`;
