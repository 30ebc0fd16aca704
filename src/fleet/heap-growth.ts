import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the fleet's heap grow past what the last full collection left alive, in per cent,
 * while devices update. V8's own factor goes up to 4 when the heap may grow large (a limit of gigabytes)
 * and the program allocates fast, as a fleet updating 1,000 devices at once does: a live heap of ~80 MB
 * became a heap of 355 MB, mostly garbage, the bulk of the peak RSS. 100 (a factor of 2) halves that
 * for more frequent full collections (docs/performance.md § Fleet).
 */
export const FLEET_HEAP_GROWING_PERCENT = 100;

/**
 * Bounds the process's heap growth while any device has an action under way, and leaves V8's own
 * growth (fewer collections, less CPU) to the idle fleet. For the process that runs the fleet only
 * (the CLI's `fleet` command): V8 reads the flag each time it sets the next collection's limit.
 */
export class HeapGrowthBound {
  readonly percent: number;
  #bounded = false;

  constructor(percent = FLEET_HEAP_GROWING_PERCENT) {
    this.percent = percent;
  }

  get bounded(): boolean {
    return this.#bounded;
  }

  /** Called with whether devices are updating; changes the flag only when that changes. */
  busy(updating: boolean): void {
    if (updating === this.#bounded) return;
    this.#bounded = updating;
    setFlagsFromString(`--heap-growing-percent=${updating ? this.percent : 0}`);
  }
}
