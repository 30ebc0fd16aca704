import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Logger } from '../log/index.js';
import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';
import type { System } from './system.js';

const run = promisify(execFile);

/** The kernel's boot id; it changes with every boot. */
const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

export class RebootError extends HawkbitRaucError {
  override readonly name = 'RebootError';
  readonly code = 'REBOOT_FAILED';
}

export function isRebootError(value: unknown): value is RebootError {
  return isErrorNamed(value, 'RebootError');
}

export interface LinuxSystemOptions {
  readonly log: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Where the boot id is read from. Default: `HAWKBIT_RAUC_BOOT_ID_FILE` from `env` when set (tests
   * that run the service as a child process simulate reboots with it), else the kernel's file.
   */
  readonly bootIdPath?: string;
  /** The command that reboots (argument vector, no shell). */
  readonly rebootCommand?: readonly string[];
}

/**
 * The real system: boot id from /proc, reboot through systemd (`systemctl reboot`, never reboot(2),
 * so services stop cleanly and RAUC's state is synced), and sd_notify through `systemd-notify --pid`
 * (no native add-on; the unit needs NotifyAccess=all). Notifications happen only when NOTIFY_SOCKET is set.
 */
export class LinuxSystem implements System {
  readonly #log: Logger;
  readonly #env: NodeJS.ProcessEnv;
  readonly #bootIdPath: string;
  readonly #rebootCommand: readonly string[];
  readonly watchdogIntervalMs: number | undefined;

  constructor(options: LinuxSystemOptions) {
    this.#log = options.log;
    this.#env = options.env ?? process.env;
    this.#bootIdPath = options.bootIdPath || this.#env.HAWKBIT_RAUC_BOOT_ID_FILE || BOOT_ID_FILE;
    this.#rebootCommand = options.rebootCommand ?? ['systemctl', 'reboot'];
    this.watchdogIntervalMs = watchdogInterval(this.#env);
  }

  async bootId(): Promise<string> {
    return (await readFile(this.#bootIdPath, 'utf8')).trim();
  }

  async reboot(options: { signal?: AbortSignal } = {}): Promise<void> {
    const [command, ...args] = this.#rebootCommand;
    this.#log.message(`rebooting: ${this.#rebootCommand.join(' ')}`);
    try {
      await run(command!, args, { signal: options.signal, timeout: 60_000 });
    } catch (error) {
      throw new RebootError(`reboot request '${this.#rebootCommand.join(' ')}' failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async notify(state: Readonly<Record<string, string>>): Promise<void> {
    if (!this.#env.NOTIFY_SOCKET) return;
    const assignments = Object.entries(state).map(([key, value]) => `${key}=${value.replace(/\n/g, ' ')}`);
    try {
      await run('systemd-notify', [`--pid=${process.pid}`, ...assignments], { timeout: 10_000, env: this.#env });
    } catch (error) {
      this.#log.warning(`systemd-notify failed: ${(error as Error).message}`);
    }
  }
}

/** systemd sets WATCHDOG_USEC (and WATCHDOG_PID) when WatchdogSec= is on. */
function watchdogInterval(env: NodeJS.ProcessEnv): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== process.pid) return undefined;
  return Math.floor(usec / 1000);
}
