import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the fleet's heap grow past what the last full collection left alive, in per cent.
 * V8's own factor goes up to 4 when the heap may grow large (a limit of gigabytes) and the program
 * allocates fast — and a fleet updating 1,000 devices at once does: a live heap of ~80 MB became a
 * 355 MB heap of mostly garbage between collections, the bulk of the peak RSS. 100 (a factor of 2)
 * halves that for more frequent full collections (docs/performance.md § Fleet).
 */
export const FLEET_HEAP_GROWING_PERCENT = 100;

/**
 * Bounds the process's heap growth for a fleet run. Only for a process that runs the fleet (the CLI's
 * `fleet` command): V8 reads the flag each time it sets the next collection's limit, for every isolate.
 */
export function boundHeapGrowth(percent = FLEET_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
