export { isRebootError, LinuxSystem, RebootError, type LinuxSystemOptions } from './linux-system.js';
export type { System } from './system.js';
