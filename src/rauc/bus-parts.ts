/**
 * Everything of the RAUC layer that loads dbus-next, gathered so that DbusInstaller can import it on
 * first use (`import('./bus-parts.js')`, a literal specifier that bundlers follow): the agent's first
 * D-Bus call comes after its first poll, and dbus-next costs ~10 MB and ~50 ms of CPU to load
 * (docs/performance.md).
 */
export { BusConnection, type MethodCall } from './bus-connection.js';
export { isUnknownMethod, mapCallError } from './call-errors.js';
export { installArgsToDbus, toInspection, toProperties, toSlotStatus, unwrap } from './dbus-values.js';
export { InstallWatch } from './install-watch.js';
