import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from '../log/index.js';

/** Decides whether feedback carries the device's time (`timestamp`). */
export interface Clock {
  /** Epoch ms now, or undefined when the system clock is not known to be right. */
  timestamp(): number | undefined;
}

/** Written by systemd-timesyncd (systemd ≥ 246) once it has synchronised the clock; removed at boot. */
export const TIMESYNC_FILE = '/run/systemd/timesync/synchronized';
/** Asks systemd-timedated for the kernel's synchronisation flag (adjtimex STA_UNSYNC), which chrony and ntpd set too. */
export const TIMEDATECTL = ['timedatectl', 'show', '--property=NTPSynchronized', '--value'] as const;
/** No synchronised clock reads earlier than this: 2026-01-01, the year of this release. */
export const CLOCK_FLOOR_MS = Date.UTC(2026, 0, 1);

export interface SyncedClockOptions {
  readonly log: Logger;
  /** A file whose presence says the clock is synchronised; default TIMESYNC_FILE. */
  readonly syncFile?: string;
  /** A command printing `yes` when the clock is synchronised; default TIMEDATECTL; null: none. */
  readonly syncCommand?: readonly string[] | null;
  /** Times before this are never sent; default CLOCK_FLOOR_MS. */
  readonly floorMs?: number;
  /** How long "not synchronised" is kept before it is checked again (ten times as long for "synchronised"); default 60 s. */
  readonly recheckMs?: number;
  readonly now?: () => number;
}

/**
 * The system clock, trusted once the system says it is synchronised: systemd-timesyncd's flag file, or
 * else `timedatectl` (the kernel's flag, set by any NTP daemon that disciplines the clock), and never
 * before CLOCK_FLOOR_MS. Checked at most once per `recheckMs`, without blocking the caller: the command
 * runs in the background and its answer counts from then on; a command that fails is not asked again.
 * Without either (e.g. busybox ntpd and no systemd), no timestamp is sent and hawkBit uses its own
 * clock, which is always safe.
 */
export class SyncedClock implements Clock {
  readonly #options: SyncedClockOptions;
  readonly #now: () => number;
  #synced = false;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #commandRunning = false;
  #commandMissing = false;

  constructor(options: SyncedClockOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#check(this.#now());
  }

  timestamp(): number | undefined {
    const now = this.#now();
    if (now < (this.#options.floorMs ?? CLOCK_FLOOR_MS)) return undefined;
    // Once synchronised it rarely stops being so: ask ten times less often (timedated is started on demand).
    if (now - this.#checkedAt >= (this.#options.recheckMs ?? 60_000) * (this.#synced ? 10 : 1)) this.#check(now);
    return this.#synced ? now : undefined;
  }

  #check(now: number): void {
    this.#checkedAt = now;
    if (existsSync(this.#options.syncFile ?? TIMESYNC_FILE)) return this.#set(true, 'systemd-timesyncd');
    const command = this.#options.syncCommand === undefined ? TIMEDATECTL : this.#options.syncCommand;
    if (command === null || this.#commandMissing) return this.#set(false, '');
    if (this.#commandRunning) return;
    const [file, ...args] = command;
    this.#commandRunning = true;
    execFile(file!, args, { timeout: 5000, shell: false }, (error, stdout) => {
      this.#commandRunning = false;
      if (error) {
        // Not installed, or no systemd-timedated to ask (no systemd as init): that does not change while we run.
        this.#commandMissing = true;
        this.#options.log.debug(`clock synchronisation unknown: '${command.join(' ')}' failed (${error.message.split('\n')[0]}); feedback carries no timestamp`);
      }
      this.#set(!error && stdout.trim() === 'yes', command[0]!);
    });
  }

  #set(synced: boolean, source: string): void {
    if (synced !== this.#synced) {
      this.#options.log.info(synced ? `system clock synchronised (${source}): feedback carries timestamps` : 'system clock not synchronised: feedback carries no timestamp');
    }
    this.#synced = synced;
  }
}
