export interface LowSpeedOptions {
  /** Bytes per second the transfer must reach on average … */
  readonly rate: number;
  /** … over every window of this many milliseconds. */
  readonly timeMs: number;
  /** Called once when the transfer was slower than `rate` for `timeMs`. */
  readonly onStall: () => void;
}

/**
 * curl-style low-speed abort: samples the byte count a few times per window and calls `onStall` when the
 * bytes received over the last `timeMs` are fewer than `rate × timeMs`. Also catches a server that never
 * sends a byte. Call `stop()` when the transfer ends.
 */
export class LowSpeedWatch {
  readonly #options: LowSpeedOptions;
  readonly #samples: { at: number; bytes: number }[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #started = performance.now();
  #bytes = 0;

  constructor(options: LowSpeedOptions) {
    this.#options = options;
    const tick = Math.min(1000, Math.max(25, options.timeMs / 4));
    this.#samples.push({ at: this.#started, bytes: 0 });
    this.#timer = setInterval(() => this.#check(), tick);
    this.#timer.unref();
  }

  /** Count `n` more received bytes. */
  add(n: number): void {
    this.#bytes += n;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #check(): void {
    const now = performance.now();
    this.#samples.push({ at: now, bytes: this.#bytes });
    // Keep the newest sample that is at least one window old as the window's start.
    while (this.#samples.length > 1 && now - (this.#samples[1]?.at ?? now) >= this.#options.timeMs) this.#samples.shift();
    const start = this.#samples[0];
    if (start === undefined || now - start.at < this.#options.timeMs) return;
    const elapsed = (now - start.at) / 1000;
    if ((this.#bytes - start.bytes) / elapsed < this.#options.rate) {
      this.stop();
      this.#options.onStall();
    }
  }
}
