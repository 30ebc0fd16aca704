/**
 * GLib's level names, as rauc-hawkbit-updater's `log_level` spells them. Logging owns these types:
 * config/ keeps its own list of accepted values, and the compiler checks that it fits this one where
 * the composition passes `config.logLevel` in.
 */
export type LogLevel = 'error' | 'critical' | 'warning' | 'message' | 'info' | 'debug';
/** How entries are written: plain text, one JSON object a line, or text with journald's `<N>` priority prefix. */
export type LogFormat = 'text' | 'json' | 'journal';

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
