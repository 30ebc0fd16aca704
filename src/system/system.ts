/** What the agent needs of the operating system; LinuxSystem implements it, tests substitute their own. */
export interface System {
  /** The kernel's boot id: changes with every boot. */
  bootId(): Promise<string>;
  /** Asks systemd to reboot the machine (returns once the request was accepted). */
  reboot(options?: { signal?: AbortSignal }): Promise<void>;
  /** sd_notify-style status for the service manager (no-op when not run by systemd). */
  notify(state: Readonly<Record<string, string>>): Promise<void>;
  /** Interval at which the service manager expects WATCHDOG=1, or undefined when there is no watchdog. */
  readonly watchdogIntervalMs: number | undefined;
}
