export { CLOCK_FLOOR_MS, SyncedClock, TIMEDATECTL, TIMESYNC_FILE, type Clock, type SyncedClockOptions } from './clock.js';
export { isRebootError, LinuxSystem, RebootError, type LinuxSystemOptions } from './linux-system.js';
export type { System } from './system.js';
