import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';

/** The RAUC service is not on the bus (or the bus itself cannot be reached). */
export class RaucUnavailableError extends HawkbitRaucError {
  override readonly name = 'RaucUnavailableError';
  readonly code = 'RAUC_UNAVAILABLE';
}

/** The RAUC service left the bus (or the bus connection closed) while we waited for it. */
export class RaucVanishedError extends HawkbitRaucError {
  override readonly name = 'RaucVanishedError';
  readonly code = 'RAUC_VANISHED';
}

/** RAUC is already installing (its "already processing a different method" answer, or Operation=installing). */
export class RaucBusyError extends HawkbitRaucError {
  override readonly name = 'RaucBusyError';
  readonly code = 'RAUC_BUSY';
}

/** The installed RAUC lacks what a call needs (e.g. InstallBundle args on a RAUC that only has Install). */
export class RaucUnsupportedError extends HawkbitRaucError {
  override readonly name = 'RaucUnsupportedError';
  readonly code = 'RAUC_UNSUPPORTED';
}

/** A call was given something RAUC cannot take (an empty bundle path, an unknown install argument). */
export class RaucArgumentError extends HawkbitRaucError {
  override readonly name = 'RaucArgumentError';
  readonly code = 'RAUC_BAD_ARGUMENT';
}

/** RAUC finished an install with a non-zero result; `lastError` is RAUC's LastError text verbatim. */
export class RaucInstallError extends HawkbitRaucError {
  override readonly name = 'RaucInstallError';
  readonly code = 'RAUC_INSTALL_FAILED';
  readonly resultCode: number;
  readonly lastError: string;

  constructor(details: { resultCode: number; lastError: string }, options?: { cause?: unknown }) {
    const text = details.lastError.trim();
    super(`RAUC install failed (result ${details.resultCode}): ${text === '' ? 'no LastError given' : text}`, options);
    this.resultCode = details.resultCode;
    this.lastError = details.lastError;
  }
}

/**
 * A RAUC method answered with an error we have no more specific type for (e.g. `Mark` on an unknown
 * slot). `dbusName` is the D-Bus error name (for RAUC 1.8 always a GError quark name), `dbusMessage`
 * RAUC's text, which alone tells the cases apart.
 */
export class RaucCallError extends HawkbitRaucError {
  override readonly name = 'RaucCallError';
  readonly code = 'RAUC_CALL_FAILED';
  readonly method: string;
  readonly dbusName: string;
  readonly dbusMessage: string;

  constructor(details: { method: string; dbusName: string; dbusMessage: string }, options?: { cause?: unknown }) {
    super(`RAUC ${details.method} failed: ${details.dbusMessage} (${details.dbusName})`, options);
    this.method = details.method;
    this.dbusName = details.dbusName;
    this.dbusMessage = details.dbusMessage;
  }
}

export function isRaucUnavailableError(value: unknown): value is RaucUnavailableError {
  return isErrorNamed(value, 'RaucUnavailableError');
}

export function isRaucVanishedError(value: unknown): value is RaucVanishedError {
  return isErrorNamed(value, 'RaucVanishedError');
}

export function isRaucBusyError(value: unknown): value is RaucBusyError {
  return isErrorNamed(value, 'RaucBusyError');
}

export function isRaucUnsupportedError(value: unknown): value is RaucUnsupportedError {
  return isErrorNamed(value, 'RaucUnsupportedError');
}

export function isRaucArgumentError(value: unknown): value is RaucArgumentError {
  return isErrorNamed(value, 'RaucArgumentError');
}

export function isRaucInstallError(value: unknown): value is RaucInstallError {
  return isErrorNamed(value, 'RaucInstallError');
}

export function isRaucCallError(value: unknown): value is RaucCallError {
  return isErrorNamed(value, 'RaucCallError');
}
