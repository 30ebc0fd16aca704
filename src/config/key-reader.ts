import { accessSync, constants } from 'node:fs';
import { ConfigError } from './config-error.js';
import { closestMatch } from '../lib/suggest.js';
import { CLIENT_KEYS, findKey, type KeyDefinition } from './keys.js';
import { parseBoolean, parseEnum, parseInteger, ValueError } from './parse-value.js';

/**
 * Typed access to the `[client]` group: each read applies the key's definition (default, type, minimum)
 * and turns any problem into a ConfigError that names the file and the key.
 */
export class KeyReader {
  readonly #values: ReadonlyMap<string, string>;
  readonly #file: string;
  readonly #lines: ReadonlyMap<string, number>;

  /** `lines`: the line of each `client.key` (parseIni's), so that errors can be listed in line order. */
  constructor(values: ReadonlyMap<string, string>, file: string, lines: ReadonlyMap<string, number> = new Map()) {
    this.#values = values;
    this.#file = file;
    this.#lines = lines;
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  /** The value as written (after whitespace stripping), or the default, or undefined. */
  optionalString(key: string): string | undefined {
    const definition = this.#definition(key);
    const value = this.#values.get(key);
    if (value === undefined) {
      if (definition.required) this.fail(key, this.missing(key));
      return definition.default;
    }
    if (value === '') this.fail(key, `'${key}' is empty`);
    return value;
  }

  string(key: string): string {
    const value = this.optionalString(key);
    if (value === undefined) this.fail(key, this.missing(key));
    return value;
  }

  /** "required key 'x' is missing", naming an unknown key in the file that is probably a misspelling of it. */
  missing(key: string, reason = `required key '${key}' is missing`): string {
    const found = this.misspellingOf(key);
    return found === undefined ? reason : `${reason} (found '${found}': did you mean '${key}'?)`;
  }

  /** An unknown key in the file whose closest known key is `key` (e.g. 'target_nmae' for 'target_name'). */
  misspellingOf(key: string): string | undefined {
    return this.unknownKeys().find((unknown) => closestKnownKey(unknown) === key);
  }

  bool(key: string): boolean {
    return this.#parse(key, parseBoolean);
  }

  int(key: string): number {
    return this.#parse(key, (value, definition) => parseInteger(value, definition.min));
  }

  enumValue<T extends string>(key: string): T {
    return this.#parse(key, parseEnum) as T;
  }

  /** A file path that must exist and be readable by this process. */
  readableFile(key: string): string | undefined {
    const path = this.optionalString(key);
    if (path === undefined) return undefined;
    try {
      accessSync(path, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      this.fail(key, `cannot read '${path}' (${code})`, error);
    }
    return path;
  }

  /** Parses with `parse`, converting a ValueError into a ConfigError for this key. */
  parseWith<T>(key: string, parse: (value: string) => T): T | undefined {
    const value = this.optionalString(key);
    return value === undefined ? undefined : this.#convert(key, () => parse(value));
  }

  fail(key: string, reason: string, cause?: unknown): never {
    // A missing key is placed at the line of its probable misspelling, if there is one.
    const misspelling = this.#values.has(key) ? undefined : this.misspellingOf(key);
    const line = this.#lines.get(`client.${key}`) ?? (misspelling === undefined ? undefined : this.#lines.get(`client.${misspelling}`));
    throw new ConfigError({ code: 'CONFIG_INVALID', file: this.#file, key: `client.${key}`, reason, ...(line === undefined ? {} : { line }) }, { cause });
  }

  /** Keys present in the file that no definition knows. */
  unknownKeys(): string[] {
    return [...this.#values.keys()].filter((key) => findKey(key) === undefined);
  }

  #parse<T>(key: string, parse: (value: string, definition: KeyDefinition) => T): T {
    const definition = this.#definition(key);
    const value = this.#values.get(key) ?? definition.default;
    if (value === undefined) this.fail(key, this.missing(key));
    return this.#convert(key, () => parse(value, definition));
  }

  #convert<T>(key: string, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof ValueError) this.fail(key, error.message, error);
      throw error;
    }
  }

  #definition(key: string): KeyDefinition {
    const definition = findKey(key);
    if (!definition) throw new Error(`internal: no definition for config key '${key}'`);
    return definition;
  }
}

/** The known `[client]` key closest to `key` (at most two edits away). */
export function closestKnownKey(key: string): string | undefined {
  return closestMatch(key, CLIENT_KEYS.map((definition) => definition.key));
}
