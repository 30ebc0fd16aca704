import { parse } from 'ini';
import { ConfigError } from './config-error.js';
import { CLIENT_KEYS } from './keys.js';

/** group → key → value, with values exactly as rauc-hawkbit-updater (GKeyFile) would read them. */
export type IniGroups = ReadonlyMap<string, ReadonlyMap<string, string>>;

export interface IniFile {
  readonly groups: IniGroups;
  /** Line number (1-based) of each `group` and `group.key`, for messages in line order. */
  readonly lines: ReadonlyMap<string, number>;
  /** Syntax errors, in line order; the lines they name are skipped, the rest is still read. */
  readonly errors: readonly ConfigError[];
}

const GROUP_LINE = /^\[([^\]]+)\]\s*$/;
const KEY_LINE = /^([^=[\]\s][^=]*?)\s*=(.*)$/;

/**
 * Parses a config file the way GLib's GKeyFile does for rauc-hawkbit-updater: `#` starts a comment line
 * only at the start of a line (so `#` and `;` inside values are kept), values lose surrounding
 * whitespace, GKeyFile escapes (`\s \t \n \r \\`) are decoded, quotes are kept literally. Lines that are
 * neither a group, a key = value pair nor a comment are errors naming the line (all of them are
 * collected; the other lines are still read, so that one run can report every problem).
 *
 * The `ini` package does the decoding; this function first checks each line and rewrites values as
 * JSON strings so that `ini` reads them verbatim instead of applying its own comment and quote rules.
 */
export function parseIni(text: string, file: string): IniFile {
  const rewritten: string[] = [];
  const groups: string[] = [];
  const lineOf = new Map<string, number>();
  const errors: ConfigError[] = [];
  let group: string | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const groupLine = GROUP_LINE.exec(line);
    if (groupLine) {
      group = groupLine[1]!.trim();
      groups.push(group);
      if (!lineOf.has(group)) lineOf.set(group, index + 1);
      rewritten.push(`[${group.replaceAll('.', '\\.')}]`);
      return;
    }
    const pair = KEY_LINE.exec(line);
    if (!pair) {
      errors.push(new ConfigError({
        code: 'CONFIG_SYNTAX',
        file,
        line: index + 1,
        reason: `${quoteLine(raw.trim())} is not a group, a key = value pair or a comment`,
      }));
      return;
    }
    if (group === undefined) {
      errors.push(new ConfigError({
        code: 'CONFIG_SYNTAX',
        file,
        line: index + 1,
        reason: `key "${pair[1]}" appears before the first [group]`,
      }));
      return;
    }
    lineOf.set(`${group}.${pair[1]}`, index + 1);
    rewritten.push(`${pair[1]} = ${JSON.stringify(decodeEscapes(pair[2]!.trim()))}`);
  });

  const decoded = parse(rewritten.join('\n')) as Record<string, Record<string, unknown>>;
  const result = new Map<string, Map<string, string>>();
  for (const name of groups) {
    const values = new Map<string, string>();
    for (const [key, value] of Object.entries(decoded[name] ?? {})) {
      // ini turns the strings "true", "false" and "null" into JSON values; config values are text.
      values.set(key, String(value));
    }
    result.set(name, values);
  }
  return { groups: result, lines: lineOf, errors };
}

const SECRET_KEYS = CLIENT_KEYS.filter((definition) => definition.secret).map((definition) => definition.key);

/** The line for an error message; a line that starts with a secret key shows only that key (the rest may be the secret). */
function quoteLine(line: string): string {
  const secret = SECRET_KEYS.find((key) => line.toLowerCase().startsWith(key));
  return secret === undefined ? `"${line}"` : `"${line.slice(0, secret.length)} …" (rest not shown: it may hold a secret)`;
}

function decodeEscapes(value: string): string {
  return value.replace(/\\([stnr\\])/g, (_match, code: string) => {
    switch (code) {
      case 's':
        return ' ';
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      default:
        return '\\';
    }
  });
}
