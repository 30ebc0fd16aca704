/**
 * Base class for every error this project throws on purpose.
 *
 * Each subclass has a literal `name` and a stable `code` (an on-the-wire and log format: never rename
 * one), and keeps the original failure in `cause`.
 */
export abstract class HawkbitRaucError extends Error {
  abstract override readonly name: string;
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** True when `value` is an Error whose `name` is `name` (works across module copies, unlike instanceof). */
export function isErrorNamed(value: unknown, name: string): value is Error {
  return value instanceof Error && value.name === name;
}

/** The message of anything thrown, without assuming it is an Error. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return typeof value === 'string' ? value : String(value);
}

/** Node system errors carry a `code` such as ENOENT; this reads it without a cast at every call site. */
export function systemErrorCode(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && 'code' in value) {
    const code = (value as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
