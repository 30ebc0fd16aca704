import { DBusError } from 'dbus-next';
import { RaucBusyError, RaucCallError, RaucUnavailableError, RaucUnsupportedError, RaucVanishedError } from './errors.js';

export const RAUC_BUS_NAME = 'de.pengutronix.rauc';

const SERVICE_MISSING = new Set(['org.freedesktop.DBus.Error.ServiceUnknown', 'org.freedesktop.DBus.Error.NameHasNoOwner']);
const UNKNOWN_METHOD = 'org.freedesktop.DBus.Error.UnknownMethod';
const NO_REPLY = 'org.freedesktop.DBus.Error.NoReply';

/** True when a D-Bus call failed because the service has no such method (an older RAUC). */
export function isUnknownMethod(error: unknown): boolean {
  return error instanceof DBusError && error.type === UNKNOWN_METHOD;
}

/**
 * Maps a failed call of RAUC's `method` to our typed errors. RAUC 1.8 gives every method error the same
 * GError quark name, so the message decides: "already processing a different method" (any case) means
 * busy. Errors that are not D-Bus errors (ours, aborts) pass through unchanged.
 */
export function mapCallError(method: string, error: unknown, busDescription: string): unknown {
  if (!(error instanceof DBusError)) return error;
  const text = String(error.text ?? '');
  if (SERVICE_MISSING.has(error.type)) {
    return new RaucUnavailableError(`RAUC (${RAUC_BUS_NAME}) is not on the ${busDescription}: ${text}`, { cause: error });
  }
  if (error.type === NO_REPLY) {
    return new RaucVanishedError(`RAUC left the ${busDescription} without answering ${method}: ${text}`, { cause: error });
  }
  if (error.type === UNKNOWN_METHOD) {
    return new RaucUnsupportedError(`The RAUC on the ${busDescription} has no method ${method} (too old?): ${text}`, { cause: error });
  }
  if (/already processing a different method/i.test(text)) {
    return new RaucBusyError(`RAUC is busy (an install is running) and refused ${method}: ${text}`, { cause: error });
  }
  return new RaucCallError({ method, dbusName: error.type, dbusMessage: text }, { cause: error });
}
