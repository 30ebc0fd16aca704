import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';

export type ConfigErrorCode = 'CONFIG_NOT_FOUND' | 'CONFIG_UNREADABLE' | 'CONFIG_SYNTAX' | 'CONFIG_INVALID';

interface ConfigErrorDetails {
  readonly code: ConfigErrorCode;
  readonly file: string;
  readonly key?: string;
  readonly line?: number;
  readonly reason: string;
}

/**
 * A config file that cannot be used. `key` names the offending key as `group.key` (or the group alone,
 * e.g. `device`), `line` its line when known. The message always names the file and the key (or the
 * line). A file with several problems gives one ConfigError listing them all in line order
 * (`problems`); its code and key are those of the first.
 */
export class ConfigError extends HawkbitRaucError {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly file: string;
  readonly key: string | undefined;
  readonly line: number | undefined;
  readonly reason: string;
  // Private, so that the error serialises (JSON, structured logs) without a cycle through itself.
  readonly #problems: readonly ConfigError[] | undefined;

  constructor(details: ConfigErrorDetails, options?: { cause?: unknown; problems?: readonly ConfigError[] }) {
    const problems = options?.problems;
    super(
      problems && problems.length > 1
        ? `${details.file}: ${problems.length} problems:\n${problems.map((problem) => `  ${problem.describe(true)}`).join('\n')}`
        : `${details.file}: ${describeLocation(details, false)}${details.reason}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = details.code;
    this.file = details.file;
    this.key = details.key;
    this.line = details.line;
    this.reason = details.reason;
    this.#problems = problems && problems.length > 1 ? problems : undefined;
  }

  /** Every problem found in the file, in line order (problems without a line last); just this one for a single problem. */
  get problems(): readonly ConfigError[] {
    return this.#problems ?? [this];
  }

  /** This problem without the file: `[client] ssl: …`, with `withLine` as `line 3: [client] ssl: …`. */
  describe(withLine = false): string {
    return `${describeLocation(this, withLine)}${this.reason}`;
  }

  /** Several problems as one error (a single one as itself), in line order; `lineOf` gives the line of a key. */
  static combine(errors: readonly ConfigError[], lineOf: (key: string) => number | undefined = () => undefined): ConfigError {
    const located = errors.map((error, index) => ({ error: error.line !== undefined || error.key === undefined ? error : withLine(error, lineOf(error.key)), index }));
    located.sort((a, b) => (a.error.line ?? Infinity) - (b.error.line ?? Infinity) || a.index - b.index);
    const sorted = located.map(({ error }) => error);
    const first = sorted[0]!;
    if (sorted.length === 1) return first;
    return new ConfigError(first, { cause: first.cause, problems: sorted });
  }
}

export function isConfigError(value: unknown): value is ConfigError {
  return isErrorNamed(value, 'ConfigError');
}

function withLine(error: ConfigError, line: number | undefined): ConfigError {
  return line === undefined ? error : new ConfigError({ ...detailsOf(error), line }, { cause: error.cause });
}

function detailsOf(error: ConfigError): ConfigErrorDetails {
  return { code: error.code, file: error.file, reason: error.reason, ...(error.key === undefined ? {} : { key: error.key }), ...(error.line === undefined ? {} : { line: error.line }) };
}

/**
 * `[client] timeout: ` for `client.timeout`, `[device]: ` for a group, `line 7: ` for a syntax error;
 * `withLine` puts the line before the key when both are known.
 */
function describeLocation(details: { key?: string | undefined; line?: number | undefined }, withLine: boolean): string {
  const line = details.line === undefined ? '' : `line ${details.line}: `;
  if (details.key) {
    const dot = details.key.indexOf('.');
    const key = dot < 0 ? `[${details.key}]: ` : `[${details.key.slice(0, dot)}] ${details.key.slice(dot + 1)}: `;
    return withLine ? `${line}${key}` : key;
  }
  return line;
}
