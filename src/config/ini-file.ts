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
/** `name[locale]`: GKeyFile's localized variant of `name`. */
const LOCALIZED_KEY = /^([^[\]]*[^[\]\s])\[([^[\]]*)\]$/;

/**
 * Parses a config file by GLib's key-file rules, as rauc-hawkbit-updater reads it (GKeyFile):
 * - `#` starts a comment line (after optional whitespace); `#` and `;` inside values are kept; quotes are literal.
 * - a repeated key: the last one wins; a repeated group is merged.
 * - `key[locale] = …` is a localized variant that rauc-hawkbit-updater never reads: skipped. `key[]` is
 *   a key of its own (so it is an unknown key, not `key`). `]` or a `[` elsewhere in a key name is an error.
 * - values lose leading whitespace; the escapes `\s \t \n \r \\` are decoded; any other escape, or a
 *   `\` at the end, makes the value uninterpretable, an error for every key that is read.
 * On purpose, and documented in docs/migrating.md: a `;` line is a comment (GKeyFile refuses the file),
 * trailing whitespace is stripped from values (GKeyFile keeps it), `[ client ]` is `[client]`.
 * Lines that are nothing of the above are an error naming the line. Every error is collected (the lines
 * it names are skipped and the rest is still read), so that one run can report every problem.
 *
 * Hand-written because the `ini` package's rules (`key[]` arrays, `true`/`false`/`null` values,
 * dotted sections) are not GLib's, and GLib's are what existing config files were written against.
 */
export function parseIni(text: string, file: string): IniFile {
  const result = new Map<string, Map<string, string>>();
  const lineOf = new Map<string, number>();
  const errors: ConfigError[] = [];
  let group: Map<string, string> | undefined;
  let groupName = '';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const syntax = (reason: string) => errors.push(new ConfigError({ code: 'CONFIG_SYNTAX', file, line: index + 1, reason }));
    const groupLine = GROUP_LINE.exec(line);
    if (groupLine) {
      groupName = groupLine[1]!.trim();
      group = result.get(groupName) ?? new Map<string, string>();
      result.set(groupName, group);
      if (!lineOf.has(groupName)) lineOf.set(groupName, index + 1);
      return;
    }
    const pair = KEY_LINE.exec(line);
    if (!pair) return void syntax(`${quoteLine(raw.trim())} is not a group, a key = value pair or a comment`);
    if (group === undefined) return void syntax(`key "${pair[1]}" appears before the first [group]`);
    let key = pair[1]!;
    if (key.includes('[') || key.includes(']')) {
      const localized = LOCALIZED_KEY.exec(key);
      if (!localized) return void syntax(`"${key}" is not a valid key name (only a trailing [locale] may hold brackets)`);
      if (localized[2] !== '') return;
      key = `${localized[1]}[]`;
    }
    const value = decodeEscapes(pair[2]!.trim());
    if (value === undefined) {
      // GKeyFile fails only the keys that are read: ours and [device] (its every key is an attribute).
      if (groupName === 'device' || (groupName === 'client' && KNOWN_KEYS.has(key))) {
        const shown = SECRET_KEYS.includes(key) ? '' : ` ${JSON.stringify(pair[2]!.trim())}`;
        syntax(`the value of "${key}"${shown} cannot be interpreted: an unknown escape or a \\ at the end (key files know \\s \\t \\n \\r \\\\)`);
      }
      return;
    }
    lineOf.set(`${groupName}.${key}`, index + 1);
    group.set(key, value);
  });
  return { groups: result, lines: lineOf, errors };
}

const KNOWN_KEYS = new Set(CLIENT_KEYS.map((definition) => definition.key));
const SECRET_KEYS = CLIENT_KEYS.filter((definition) => definition.secret).map((definition) => definition.key);

/** The line for an error message; a line that starts with a secret key shows only that key (the rest may be the secret). */
function quoteLine(line: string): string {
  const secret = SECRET_KEYS.find((key) => line.toLowerCase().startsWith(key));
  return secret === undefined ? `"${line}"` : `"${line.slice(0, secret.length)} …" (rest not shown: it may hold a secret)`;
}

/** Decodes GKeyFile's escapes; undefined when the value holds another escape or ends in a lone backslash. */
function decodeEscapes(value: string): string | undefined {
  const escapes: Readonly<Record<string, string>> = { s: ' ', t: '\t', n: '\n', r: '\r', '\\': '\\' };
  let invalid = false;
  const decoded = value.replace(/\\(.?)/gs, (_match, code: string) => {
    const replacement = escapes[code];
    if (replacement === undefined) invalid = true;
    return replacement ?? '';
  });
  return invalid ? undefined : decoded;
}
