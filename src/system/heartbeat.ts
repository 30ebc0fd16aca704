/** How many watchdog intervals without loop progress count as a stuck loop. */
export const STALL_INTERVALS = 3;

export interface HeartbeatOptions {
  /** No progress for this long (beyond any grace asked for) means the loop is stuck. */
  readonly stallMs: number;
  readonly now?: () => number;
}

/**
 * The agent loop's sign of life, separate from the server's reachability: the poll loop, downloads and
 * installations beat it whenever they make progress; the watchdog (watchdog.ts) stops feeding systemd
 * once it has not been beaten for `stallMs`. A beat before a step that may legitimately take long (a
 * sleep between polls) passes that step's length as grace.
 */
export class LoopHeartbeat {
  readonly stallMs: number;
  readonly #now: () => number;
  #lastBeat: number;
  #deadline: number;

  constructor(options: HeartbeatOptions) {
    this.stallMs = options.stallMs;
    this.#now = options.now ?? Date.now;
    this.#lastBeat = this.#now();
    this.#deadline = this.#lastBeat + this.stallMs;
  }

  /** Progress now; the next is due within `graceMs` plus the stall limit. A shorter beat never cuts a grace short. */
  beat(graceMs = 0): void {
    const now = this.#now();
    this.#lastBeat = now;
    this.#deadline = Math.max(this.#deadline, now + Math.max(0, graceMs) + this.stallMs);
  }

  /** How long the loop has been silent when it is past its deadline; undefined while it is alive. */
  stalledForMs(): number | undefined {
    const now = this.#now();
    return now > this.#deadline ? now - this.#lastBeat : undefined;
  }
}

/**
 * The stall limit: `STALL_INTERVALS` watchdog intervals, but never less than three of the longest DDI
 * requests (`callBudgetMs`: timeout plus the retries), so that a slow or failing server is never taken
 * for a stuck loop. Infinity when requests have no timeout (`timeout = 0`).
 */
export function stallLimitMs(watchdogIntervalMs: number, callBudgetMs: number): number {
  return Math.max(STALL_INTERVALS * watchdogIntervalMs, 3 * callBudgetMs);
}
