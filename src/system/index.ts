export { CLOCK_FLOOR_MS, SyncedClock, TIMEDATECTL, TIMESYNC_FILE, type Clock, type SyncedClockOptions } from './clock.js';
export { LoopHeartbeat, STALL_INTERVALS, stallLimitMs, type HeartbeatOptions } from './heartbeat.js';
export { isRebootError, LinuxSystem, RebootError, type LinuxSystemOptions } from './linux-system.js';
export type { System } from './system.js';
export { PINGS_PER_INTERVAL, startWatchdog, type WatchdogFeeder } from './watchdog.js';
