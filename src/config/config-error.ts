import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';

export type ConfigErrorCode = 'CONFIG_NOT_FOUND' | 'CONFIG_UNREADABLE' | 'CONFIG_SYNTAX' | 'CONFIG_INVALID';

/**
 * A config file that cannot be used. `key` names the offending key as `group.key` (or the group alone,
 * e.g. `device`), `line` the line for syntax errors. The message always names the file and the key.
 */
export class ConfigError extends HawkbitRaucError {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly file: string;
  readonly key: string | undefined;
  readonly reason: string;

  constructor(
    details: { code: ConfigErrorCode; file: string; key?: string; line?: number; reason: string },
    options?: { cause?: unknown },
  ) {
    super(`${details.file}: ${describeLocation(details)}${details.reason}`, options);
    this.code = details.code;
    this.file = details.file;
    this.key = details.key;
    this.reason = details.reason;
  }
}

export function isConfigError(value: unknown): value is ConfigError {
  return isErrorNamed(value, 'ConfigError');
}

/** `[client] timeout: ` for `client.timeout`, `[device]: ` for a group, `line 7: ` for a syntax error. */
function describeLocation(details: { key?: string; line?: number }): string {
  if (details.key) {
    const dot = details.key.indexOf('.');
    return dot < 0 ? `[${details.key}]: ` : `[${details.key.slice(0, dot)}] ${details.key.slice(dot + 1)}: `;
  }
  return details.line ? `line ${details.line}: ` : '';
}
