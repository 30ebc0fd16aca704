import type { LogLevel } from '../config/types.js';

/** GLib's levels as rauc-hawkbit-updater uses them, most severe first (winston numbering). */
export const LEVEL_SEVERITY: Readonly<Record<LogLevel, number>> = Object.freeze({
  error: 0,
  critical: 1,
  warning: 2,
  message: 3,
  info: 4,
  debug: 5,
});

/** syslog priority for journald's `<N>` prefix, as GLib maps its levels. */
export const JOURNAL_PRIORITY: Readonly<Record<LogLevel, number>> = Object.freeze({
  error: 3,
  critical: 2,
  warning: 4,
  message: 5,
  info: 6,
  debug: 7,
});
