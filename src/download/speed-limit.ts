/**
 * Token bucket for the download speed cap: at most `rate` bytes per second on average, with bursts of at
 * most one second's worth. `delayMs(n)` says how long to wait after receiving `n` more bytes.
 */
export class SpeedLimit {
  readonly #rate: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(rate: number, now: () => number = () => performance.now()) {
    this.#rate = rate;
    this.#now = now;
    this.#tokens = rate;
    this.#last = now();
  }

  delayMs(bytes: number): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#last) / 1000) * this.#rate) - bytes;
    this.#last = now;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#rate) * 1000;
  }
}
