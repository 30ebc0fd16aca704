/** Exit codes, the same as rauc-hawkbit-updater's so scripts and units written for it keep working. */
export const ExitCode = Object.freeze({
  /** Success, or nothing to do. */
  OK: 0,
  /** Bad command line option, or a run-once that failed. */
  FAILURE: 1,
  /** No `-c/--config-file` given. */
  NO_CONFIG: 2,
  /** The config file does not exist. */
  CONFIG_MISSING: 3,
  /** The config file exists but is not valid. */
  CONFIG_INVALID: 4,
});

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
