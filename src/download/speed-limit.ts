/** Longest burst the cap lets through, in seconds' worth of the rate (absorbs timer lateness). */
const BURST_SECONDS = 0.05;

/**
 * Token bucket for the download speed cap: at most `rate` bytes per second on average from the very
 * first byte. The bucket starts empty and holds at most BURST_SECONDS of the rate, so no window of a
 * second or more sees more than `rate × window` plus that small burst. `delayMs(n)` says how long to
 * wait after receiving `n` more bytes before reading on.
 */
export class SpeedLimit {
  readonly #rate: number;
  readonly #capacity: number;
  readonly #now: () => number;
  #tokens = 0;
  #last: number;

  constructor(rate: number, now: () => number = () => performance.now()) {
    this.#rate = rate;
    this.#capacity = rate * BURST_SECONDS;
    this.#now = now;
    this.#last = now();
  }

  delayMs(bytes: number): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#last) / 1000) * this.#rate) - bytes;
    this.#last = now;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#rate) * 1000;
  }
}
