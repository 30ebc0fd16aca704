import type { FileHandle } from 'node:fs/promises';
import { DIRECT_IO_ALIGN } from './aligned-memory.js';
import type { BodySink } from './body-source.js';
import { SizeMismatchError } from './errors.js';
import type { HashSession } from './hash-session.js';
import type { SlotPool } from './slot-pool.js';
import { FLUSH_BYTES, SlotWrites } from './slot-writes.js';
import type { SpeedLimit } from './speed-limit.js';

export interface PartWriterOptions {
  readonly file: FileHandle;
  /** The same file opened with O_DIRECT (slot-writes.ts), when the file system allows it; used with an aligned pool only. */
  readonly direct?: FileHandle | undefined;
  /** File offset of the first received byte (the bytes already in the part file). */
  readonly position: number;
  readonly pool: SlotPool;
  /** Hashes to feed; absent for an unverified download. */
  readonly session: HashSession | undefined;
  /** The file may not grow beyond this many bytes (the artifact's size), else SizeMismatchError. */
  readonly maxLength: number | undefined;
  readonly speedLimit: SpeedLimit | undefined;
  /** Called with the length of every run of received bytes once it is in a slot. */
  readonly onBytes: (length: number) => void;
  /** Written bytes between two flushes while the download runs (default FLUSH_BYTES). */
  readonly flushBytes?: number;
}

/**
 * The sink of a download: received bytes go into slots of a shared pool — read there in place when the
 * reader asks for `target()`, else copied — then each full slot is written at its file offset
 * (slot-writes.ts: one write at a time, in order, aligned ones past the page cache) while the hash
 * workers read the same memory.
 * `write()` takes a view that is valid only during the call (the reader's fixed buffer): what does not
 * fit while every slot is busy goes to a spill buffer of this writer (about one read, allocated once),
 * and `write()` returns false — the reader then stops reading until `drained()` resolves; so does a
 * speed cap's wait. `finish()`
 * flushes and fsyncs; `abort()` writes the bytes received so far. `settled()` resolves once no write
 * is running, so the file length is then exactly `written`.
 */
export class PartWriter implements BodySink {
  readonly #options: PartWriterOptions;
  readonly #memory: Uint8Array;
  readonly #writes: SlotWrites;
  #slot: number | undefined;
  #fill = 0;
  /** Bytes the current slot takes: all of it, or fewer so that the slot's file range ends aligned. */
  #limit = 0;
  /** File offset where the next dispatched slot goes. */
  #next: number;
  #spill: Uint8Array | undefined;
  #spilled = 0;
  #waitMs = 0;
  #pace: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: PartWriterOptions) {
    this.#options = options;
    this.#memory = new Uint8Array(options.pool.buffer);
    this.#next = options.position;
    this.#writes = new SlotWrites({ file: options.file, direct: options.direct, pool: options.pool, position: options.position, flushBytes: options.flushBytes ?? FLUSH_BYTES });
  }

  /** Length of the part file as far as completed writes go. */
  get written(): number {
    return this.#writes.written;
  }

  /** Resolves when no write or flush is queued or running. */
  async settled(): Promise<void> {
    await this.#writes.settled();
  }

  /**
   * Takes `bytes[start, end)`; false: stop reading until `drained()` — bytes are waiting, the speed cap
   * asks for a pause, or every slot is busy, so that the next read would have to land outside the pool
   * and be copied into it later (with the hashes the slower side, that was half of a download's bytes,
   * a quarter of them copied twice). Bytes written before that (the rest of a read, a TLS record
   * already decrypted) are kept after the ones waiting. Throws a write error or SizeMismatchError.
   */
  write(bytes: Uint8Array, start: number, end: number): boolean {
    if (this.#writes.error !== undefined) throw this.#writes.error;
    const { maxLength, speedLimit } = this.#options;
    const length = this.#next + this.#fill + this.#spilled + end - start;
    if (maxLength !== undefined && length > maxLength) {
      throw new SizeMismatchError({ expected: maxLength, actual: length, what: 'server sent more bytes than the artifact size' });
    }
    const copied = this.#spilled > 0 ? start : this.#copy(bytes, start, end);
    if (copied < end) this.#keep(bytes, copied, end);
    this.#waitMs = speedLimit?.delayMs(end - start) ?? 0;
    return this.#spilled === 0 && this.#waitMs === 0 && this.#room();
  }

  /**
   * The free rest of the current slot (a free slot is taken when none is current), for the next socket
   * read to land in: its body bytes are then already where `write()` would copy them. Undefined while
   * bytes wait in the spill buffer, after a write error or abort, or when every slot is busy.
   */
  target(): Uint8Array | undefined {
    if (this.#stopped || this.#spilled > 0 || this.#writes.error !== undefined) return undefined;
    const { pool } = this.#options;
    if (this.#slot === undefined && !this.#takeSlot()) return undefined;
    const base = pool.offset(this.#slot!);
    return this.#memory.subarray(base + this.#fill, base + this.#limit);
  }

  /** Resolves when the kept bytes are in slots, a slot has room for a read and the speed cap allows more: time to read on. */
  drained(): Promise<void> {
    return this.#drain(true);
  }

  /** The body is complete: writes the last slot, waits for every write and fsyncs. */
  async finish(): Promise<void> {
    await this.#drain(false);
    this.#dispatch();
    await this.settled();
    if (this.#writes.error !== undefined) throw this.#writes.error;
    await this.#options.file.sync();
  }

  /** A read can land in the pool: the current slot has space left, or a slot is free. */
  #room(): boolean {
    return (this.#slot !== undefined && this.#fill < this.#limit) || this.#options.pool.free > 0;
  }

  /** Waits for the speed cap and moves the kept bytes into slots; with `forRead`, also for room for the next read. */
  async #drain(forRead: boolean): Promise<void> {
    while (!this.#stopped) {
      if (this.#waitMs > 0) {
        const wait = this.#waitMs;
        this.#waitMs = 0;
        await new Promise<void>((resolve) => (this.#pace = setTimeout(resolve, wait)));
        continue;
      }
      if (this.#spilled === 0 && (!forRead || this.#room())) break;
      await this.#options.pool.whenFree();
      if (this.#stopped) return;
      if (this.#spilled === 0) continue;
      const spill = this.#spill!;
      const copied = this.#copy(spill, 0, this.#spilled);
      if (copied > 0) {
        spill.copyWithin(0, copied, this.#spilled);
        this.#spilled -= copied;
      }
    }
    if (this.#writes.error !== undefined) throw this.#writes.error;
  }

  /**
   * The transfer stopped (connection cut, stall, abort): the bytes received so far that are in a slot
   * are still good, so the partly filled slot is written too and a resume continues right after them.
   * Spilled bytes (never counted by `onBytes`) are dropped.
   */
  abort(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#pace);
    this.#spilled = 0;
    try {
      if (this.#writes.error === undefined) this.#dispatch();
    } catch {
      // A failed hash worker: the part keeps what was written; the next attempt re-hashes it from disk.
    }
    if (this.#slot !== undefined) this.#options.pool.release(this.#slot);
    this.#slot = undefined;
    this.#fill = 0;
  }

  /** Copies from `bytes[start, end)` into slots while one is free; returns where it stopped. */
  #copy(bytes: Uint8Array, start: number, end: number): number {
    const { pool } = this.#options;
    let from = start;
    while (from < end) {
      if (this.#slot === undefined && !this.#takeSlot()) break;
      const n = Math.min(this.#limit - this.#fill, end - from);
      const to = pool.offset(this.#slot!) + this.#fill;
      if (bytes.buffer !== pool.buffer) this.#memory.set(bytes.subarray(from, from + n), to);
      else if (bytes.byteOffset + from !== to) this.#memory.copyWithin(to, bytes.byteOffset + from, bytes.byteOffset + from + n);
      // else: read in place (target()), nothing to move.
      this.#fill += n;
      from += n;
      if (this.#fill === this.#limit) this.#dispatch();
    }
    if (from > start) this.#options.onBytes(from - start);
    return from;
  }

  /**
   * Takes a free slot as the current one; false when none is free. While direct writes are possible, a
   * slot whose file range would start unaligned (after a resume at any byte) takes only the bytes up to
   * the next aligned offset, so the slots after it can go straight to the disk.
   */
  #takeSlot(): boolean {
    const { pool } = this.#options;
    const slot = pool.take();
    if (slot === undefined) return false;
    this.#slot = slot;
    this.#fill = 0;
    this.#limit = this.#writes.direct ? pool.slotSize - (this.#next % DIRECT_IO_ALIGN) : pool.slotSize;
    return true;
  }

  /** Appends `bytes[start, end)` to the kept bytes: the caller's view is gone after `write()` returns. */
  #keep(bytes: Uint8Array, start: number, end: number): void {
    const needed = this.#spilled + end - start;
    if (this.#spill === undefined || this.#spill.length < needed) {
      const grown = new Uint8Array(Math.max(needed, 2 * (this.#spill?.length ?? 0), 64 * 1024));
      if (this.#spill !== undefined) grown.set(this.#spill.subarray(0, this.#spilled), 0);
      this.#spill = grown;
    }
    this.#spill.set(bytes.subarray(start, end), this.#spilled);
    this.#spilled = needed;
  }

  /** Hands the current slot to the hash workers and queues its write; the slot is ours no more. */
  #dispatch(): void {
    const slot = this.#slot;
    if (slot === undefined) return;
    const length = this.#fill;
    if (length === 0) {
      // A slot taken for a read that brought no body bytes (target()) goes back unused.
      this.#slot = undefined;
      this.#options.pool.release(slot);
      return;
    }
    this.#slot = undefined;
    this.#fill = 0;
    this.#next += length;
    const { pool, session } = this.#options;
    try {
      session?.feed(slot, length);
    } catch (error) {
      pool.release(slot);
      throw error;
    }
    this.#writes.push(slot, length);
  }
}
