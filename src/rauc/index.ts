export { DbusInstaller, absoluteSource, type DbusInstallerOptions } from './dbus-installer.js';
export { resolveBus, DEFAULT_SYSTEM_BUS_ADDRESS, type BusChoice, type ResolvedBus } from './bus-address.js';
export * from './errors.js';
export type * from './types.js';
export { describeFeatures, detectFeatures, parseInstallerMethods, type MethodShape, type RaucFeatures, type Support } from './features.js';
export { hasLargePlainFix, LARGE_PLAIN_FIXED, parseRaucVersion, type RaucVersion } from './rauc-version.js';
