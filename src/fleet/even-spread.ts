/**
 * Decides which of a series of events fail so that exactly the share `rate` does, spread evenly:
 * with 0.05 every 20th, with 0.5 every second (the second, the fourth, …). Reproducible, unlike a
 * coin per event: a rehearsal with 50 % in a group of 50 has 25 failures, every time.
 */
export class EvenSpread {
  #count = 0;

  constructor(readonly rate: number) {}

  /** True when the next event is one of the failing share. */
  next(): boolean {
    const index = this.#count++;
    return Math.floor((index + 1) * this.rate) > Math.floor(index * this.rate);
  }
}
