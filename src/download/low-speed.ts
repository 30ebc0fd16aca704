export interface LowSpeedOptions {
  /** Bytes per second the transfer must reach on average … */
  readonly rate: number;
  /** … over every window of this many milliseconds. */
  readonly timeMs: number;
  /** Called once when the transfer was slower than `rate` for `timeMs`. */
  readonly onStall: () => void;
  /** Clock in milliseconds (tests); default performance.now. */
  readonly now?: () => number;
}

/**
 * curl-style low-speed abort: samples the byte count a few times per window and calls `onStall` when the
 * bytes received over the last `timeMs` are fewer than `rate × timeMs`. Also catches a server that never
 * sends a byte. Call `stop()` when the transfer ends.
 *
 * Time counts only while this process runs: a check that comes late (the event loop was blocked or the
 * machine starved us of CPU, so received bytes may still sit unread in the socket) advances the window's
 * clock by at most two sampling intervals. A busy device then gets no false stall; a server that really
 * stops sending is still caught, only later if the process is starved.
 */
export class LowSpeedWatch {
  readonly #options: LowSpeedOptions;
  readonly #now: () => number;
  readonly #samples: { at: number; bytes: number }[];
  readonly #timer: NodeJS.Timeout;
  readonly #intervalMs: number;
  #bytes = 0;
  #stopped = false;
  /** Real time of the last check, and the window's clock (real time less the late checks' delays). */
  #lastReal: number;
  #clock: number;

  constructor(options: LowSpeedOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#lastReal = this.#now();
    this.#clock = this.#lastReal;
    this.#samples = [{ at: this.#clock, bytes: 0 }];
    this.#intervalMs = Math.min(1000, Math.max(25, options.timeMs / 4));
    this.#timer = setInterval(() => this.check(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Count `n` more received bytes. */
  add(n: number): void {
    this.#bytes += n;
  }

  /**
   * Starts a new window from now: the body begins. Until then the watch only guards the wait for an
   * answer; the body's first window is not shortened by a slow handshake or redirect.
   */
  restart(): void {
    this.#samples.splice(0, this.#samples.length, { at: this.#tick(), bytes: this.#bytes });
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  /** Takes a sample and decides (runs on a timer; public for tests). */
  check(): void {
    if (this.#stopped) return;
    const now = this.#tick();
    const last = this.#samples[this.#samples.length - 1];
    if (last !== undefined && last.at === now) last.bytes = this.#bytes;
    else this.#samples.push({ at: now, bytes: this.#bytes });
    // Keep the newest sample that is at least one window old as the window's start.
    while (this.#samples.length > 1 && now - (this.#samples[1]?.at ?? now) >= this.#options.timeMs) this.#samples.shift();
    const start = this.#samples[0];
    if (start === undefined || now - start.at < this.#options.timeMs) return;
    const seconds = (now - start.at) / 1000;
    if ((this.#bytes - start.bytes) / seconds < this.#options.rate) {
      this.stop();
      this.#options.onStall();
    }
  }

  /** The window's clock now: real time, less what late checks say the process did not run. */
  #tick(): number {
    const real = this.#now();
    this.#clock += Math.min(Math.max(0, real - this.#lastReal), 2 * this.#intervalMs);
    this.#lastReal = real;
    return this.#clock;
  }
}
