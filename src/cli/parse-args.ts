import { parseArgs } from 'node:util';
import { closestMatch } from '../lib/suggest.js';

export type CommandName = 'run' | 'check-config' | 'version' | 'help' | 'status' | 'poll-now' | 'confirm' | 'deny';

export interface CliArguments {
  readonly command: CommandName;
  readonly configFile: string | undefined;
  readonly debug: boolean;
  readonly runOnce: boolean;
  readonly outputSystemd: boolean;
  /** Action id for `confirm` and `deny`. */
  readonly actionId: string | undefined;
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
    throw new UsageError(describeParseError(error as Error & { code?: string }), { cause: error });
  }
  const { values, positionals } = parsed;
  const [verb, actionId, ...rest] = positionals;
  let command: CommandName = values.help ? 'help' : values.version ? 'version' : values['check-config'] ? 'check-config' : 'run';
  if (verb !== undefined && command === 'run') {
    if (verb !== 'status' && verb !== 'poll-now' && verb !== 'confirm' && verb !== 'deny') throw new UsageError(`unexpected argument '${verb}'`);
    command = verb;
    const bare = verb === 'status' || verb === 'poll-now';
    if (bare ? actionId !== undefined : actionId === undefined || rest.length > 0) {
      throw new UsageError(bare ? `'${verb}' takes no argument` : `'${verb}' takes exactly one action id`);
    }
    if (actionId !== undefined && !/^[\w-]{1,64}$/.test(actionId)) throw new UsageError(`'${actionId}' is not an action id`);
  } else if (verb !== undefined) {
    throw new UsageError(`unexpected argument '${verb}'`);
  }
  return {
    actionId,
    command,
    configFile: values['config-file'],
    debug: values.debug ?? false,
    runOnce: values['run-once'] ?? false,
    outputSystemd: values['output-systemd'] ?? false,
  };
}

/**
 * Node's message for an unknown option ends in advice about '--' with an unbalanced quote, and this
 * command takes no positional argument that starts with '-': say which option, and the closest one.
 */
function describeParseError(error: Error & { code?: string }): string {
  const option = /'(-[^']*)'/.exec(error.message)?.[1];
  if (error.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || option === undefined) return error.message;
  const suggestion = option.startsWith('--') ? closestMatch(option.split('=')[0]!, Object.keys(OPTIONS).map((name) => `--${name}`)) : undefined;
  return `Unknown option '${option}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`;
}

export const USAGE = `Usage: hawkbit-rauc [OPTION…] [status | poll-now | confirm ID | deny ID | fleet …]

Polls an Eclipse hawkBit server and installs the updates it assigns with RAUC.

Commands:
  (none)                   run the update service
  status                   show the persisted update state and what the service is doing
  poll-now                 make the running service poll at once and print what it found
                           (exit 1 if no service answered)
  confirm ID, deny ID      answer hawkBit's confirmation request for action ID
                           (confirmation_policy = manual)
  fleet                    rehearse a rollout with many virtual devices
                           ('hawkbit-rauc fleet --help' for its options)

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
