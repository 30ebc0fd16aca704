import { HashThreads } from './hash-threads.js';
import { SlotPool } from './slot-pool.js';

/**
 * Slot pools kept across the downloads of one process, each with its idle hash threads (the fleet's, for
 * all its devices, which bounds the downloads running at once to `max`). Without it every download
 * allocates a 4 MiB pool and starts its hash threads: in a process that runs thousands of downloads that
 * churn moves glibc's mmap threshold above the pool's size, after which each new pool is zeroed on the
 * heap (all of it resident) and stays with the process when freed (docs/performance.md § Fleet).
 * Owned by whoever made it, which calls `close()` at the end.
 */
export class SlotPoolCache {
  readonly max: number;
  readonly #idle: SlotPool[] = [];
  #made = 0;
  #closed = false;

  constructor(max: number) {
    this.max = max;
  }

  /** Idle pools kept. */
  get idle(): number {
    return this.#idle.length;
  }

  /** Pools allocated since the cache was made (kept ones are reused, not counted again). */
  get made(): number {
    return this.#made;
  }

  /** A kept pool of that shape with every slot free, or a new one. */
  take(slotSize: number, count: number): SlotPool {
    const at = this.#idle.findIndex((pool) => pool.slotSize === slotSize && pool.count === count);
    if (at >= 0) return this.#idle.splice(at, 1)[0]!;
    this.#made++;
    return new SlotPool(slotSize, count, new HashThreads());
  }

  /** Keeps a pool its download is done with; one with a slot still held, or beyond `max`, is dropped. */
  give(pool: SlotPool): void {
    if (this.#closed || this.#idle.length >= this.max || pool.free !== pool.count) {
      void pool.threads?.close();
      return;
    }
    this.#idle.push(pool);
  }

  /** Drops the kept pools and ends their threads. */
  async close(): Promise<void> {
    this.#closed = true;
    const idle = this.#idle.splice(0);
    await Promise.all(idle.map((pool) => pool.threads?.close()));
  }
}
