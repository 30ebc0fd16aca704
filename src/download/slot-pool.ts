import { DIRECT_IO_ALIGN, sharedMemory } from './aligned-memory.js';
import type { HashThreads } from './hash-threads.js';

/**
 * Fixed set of equal slots in one SharedArrayBuffer. Received bytes are copied into a slot once; the
 * file write (main thread pool) and every hash worker then read the same memory, and the slot is free
 * again when the last of them releases it. The fixed count bounds memory and provides back-pressure.
 * A pool kept across downloads (SlotPoolCache) also keeps the hash threads made for its memory.
 */
export class SlotPool {
  readonly buffer: SharedArrayBuffer;
  /** Every slot starts on a page boundary (aligned-memory.ts): full slots may be written with direct I/O. */
  readonly aligned: boolean;
  readonly slotSize: number;
  readonly count: number;
  /** Idle hash threads bound to this pool's memory (a kept pool's); none: a thread per hash session. */
  readonly threads: HashThreads | undefined;
  readonly #holds: number[];
  readonly #free: number[];
  #waiters: (() => void)[] = [];

  constructor(slotSize: number, count: number, threads?: HashThreads) {
    this.slotSize = slotSize;
    this.count = count;
    this.threads = threads;
    const memory = sharedMemory(slotSize * count);
    this.buffer = memory.buffer;
    this.aligned = memory.aligned && slotSize % DIRECT_IO_ALIGN === 0;
    this.#holds = new Array<number>(count).fill(0);
    this.#free = Array.from({ length: count }, (_, index) => index);
  }

  /** Slots no one holds. */
  get free(): number {
    return this.#free.length;
  }

  /** A free slot, held once by the caller, or undefined when all are in use. */
  take(): number | undefined {
    const slot = this.#free.shift();
    if (slot !== undefined) this.#holds[slot] = 1;
    return slot;
  }

  /** Resolves when a slot may be free (call take() again). */
  whenFree(): Promise<void> {
    if (this.#free.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** One more holder of `slot` (a write or a hash worker that will read it). */
  hold(slot: number): void {
    this.#holds[slot] = (this.#holds[slot] ?? 0) + 1;
  }

  release(slot: number): void {
    const holds = (this.#holds[slot] ?? 0) - 1;
    this.#holds[slot] = holds;
    if (holds > 0) return;
    this.#free.push(slot);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Byte offset of `slot` in `buffer`. */
  offset(slot: number): number {
    return slot * this.slotSize;
  }

  /** A Buffer over the first `length` bytes of `slot` (no copy). */
  view(slot: number, length = this.slotSize): Buffer {
    return Buffer.from(this.buffer, this.offset(slot), length);
  }
}
