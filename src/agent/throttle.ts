/**
 * Decides which progress updates become feedback, so one action stays far below hawkBit's limit of
 * 1000 status entries: an update goes out when it advanced by at least `minStep` percent AND at least
 * `minIntervalMs` passed since the last one; 0 % and 100 % always go out.
 */
export class ProgressThrottle {
  #lastPercent = -1;
  #lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly minStep: number,
    private readonly minIntervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  shouldSend(percent: number): boolean {
    const now = this.now();
    const edge = (percent <= 0 || percent >= 100) && percent !== this.#lastPercent;
    if (!edge && (percent - this.#lastPercent < this.minStep || now - this.#lastAt < this.minIntervalMs)) return false;
    this.#lastPercent = percent;
    this.#lastAt = now;
    return true;
  }
}
