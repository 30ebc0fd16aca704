import type { KeyDefinition } from './keys.js';

/** Thrown by the value parsers; the loader adds file and key. */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

/** rauc-hawkbit-updater's boolean rule: 0/1/yes/no/true/false in any case, anything else is an error. */
export function parseBoolean(value: string): boolean {
  if (value === '0' || /^(no|false)$/i.test(value)) return false;
  if (value === '1' || /^(yes|true)$/i.test(value)) return true;
  throw new ValueError(`Value '${value}' cannot be interpreted as a boolean.`);
}

/** A whole decimal number (GKeyFile's integer rule), at least `min`. */
export function parseInteger(value: string, min: number | undefined): number {
  if (!/^[+-]?\d+$/.test(value)) throw new ValueError(`Value '${value}' cannot be interpreted as a number.`);
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new ValueError(`Value '${value}' is out of range.`);
  if (min !== undefined && number < min) throw new ValueError(`Value ${number} is below the minimum of ${min}.`);
  return number;
}

export function parseEnum(value: string, definition: KeyDefinition): string {
  const values = definition.values ?? [];
  if (!values.includes(value)) {
    throw new ValueError(`Value '${value}' is not one of ${values.map((v) => `'${v}'`).join(', ')}.`);
  }
  return value;
}

/** An http(s) proxy URL, optionally with credentials. */
export function parseProxyUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValueError(`'${redactUrl(value)}' is not a URL (expected http://[user:password@]host:port).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValueError(`proxy scheme '${url.protocol}' is not supported (use http:// or https://).`);
  }
  return value;
}

/** The URL with any password replaced, for messages and `--check-config`. */
export function redactUrl(value: string): string {
  return value.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1<redacted>@');
}

/** `host`, `host:port` or `host:port/path-prefix`, without a scheme (the `ssl` key chooses it). */
export function parseServer(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ValueError(
      `'${value}' must be host[:port] without a scheme; 'ssl' chooses between https (default) and http.`,
    );
  }
  if (!/^(\[[0-9a-f:.]+\]|[^\s/:[\]]+)(:\d{1,5})?(\/\S*)?$/i.test(value)) {
    throw new ValueError(`'${value}' is not a host[:port].`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * Splits a command line into an argument vector the way a shell splits words (spaces separate,
 * '…' and "…" quote, backslash escapes in double quotes and outside quotes), without any expansion:
 * the command is run directly, never through a shell.
 */
export function splitCommand(value: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (char === '\\' && i + 1 < value.length && (quote === undefined || '"\\$`'.includes(value[i + 1]!))) {
      word += value[++i];
      inWord = true;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new ValueError(`unterminated ${quote} quote in '${value}'`);
  if (inWord) words.push(word);
  if (words.length === 0) throw new ValueError('the command is empty');
  return words;
}
