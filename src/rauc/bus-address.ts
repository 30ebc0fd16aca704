import { RaucUnavailableError } from './errors.js';

/** Which bus RAUC is on: the system bus, the session bus, or an explicit address (tests). */
export type BusChoice = 'system' | 'session' | { readonly address: string };

export const DEFAULT_SYSTEM_BUS_ADDRESS = 'unix:path=/var/run/dbus/system_bus_socket';

export interface ResolvedBus {
  readonly kind: 'system' | 'session' | 'address';
  readonly address: string;
}

/**
 * Resolves the bus to a concrete address. Without an explicit choice: the session bus when
 * `DBUS_STARTER_BUS_TYPE=session` (as RAUC itself and rauc-hawkbit-updater decide), else the system bus.
 * The session bus address comes from `DBUS_SESSION_BUS_ADDRESS`, the system bus address from
 * `DBUS_SYSTEM_BUS_ADDRESS` or the well-known socket.
 */
export function resolveBus(choice: BusChoice | undefined, env: NodeJS.ProcessEnv): ResolvedBus {
  const kind = choice ?? (env['DBUS_STARTER_BUS_TYPE'] === 'session' ? 'session' : 'system');
  if (typeof kind === 'object') {
    if (kind.address.trim() === '') throw new RaucUnavailableError('The D-Bus address given for RAUC is empty');
    return { kind: 'address', address: kind.address };
  }
  if (kind === 'session') {
    const address = env['DBUS_SESSION_BUS_ADDRESS'];
    if (address === undefined || address.trim() === '') {
      throw new RaucUnavailableError('RAUC is expected on the session bus, but DBUS_SESSION_BUS_ADDRESS is not set');
    }
    return { kind, address };
  }
  const address = env['DBUS_SYSTEM_BUS_ADDRESS'];
  return { kind, address: address !== undefined && address.trim() !== '' ? address : DEFAULT_SYSTEM_BUS_ADDRESS };
}
