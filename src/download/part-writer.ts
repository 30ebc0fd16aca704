import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { SizeMismatchError } from './errors.js';
import type { HashSession } from './hash-session.js';
import type { SlotPool } from './slot-pool.js';
import type { SpeedLimit } from './speed-limit.js';

export interface PartWriterOptions {
  readonly file: FileHandle;
  /** File offset of the first received byte (the bytes already in the part file). */
  readonly position: number;
  readonly pool: SlotPool;
  /** Hashes to feed; absent for an unverified download. */
  readonly session: HashSession | undefined;
  /** The file may not grow beyond this many bytes (the artifact's size), else SizeMismatchError. */
  readonly maxLength: number | undefined;
  readonly speedLimit: SpeedLimit | undefined;
  /** Called for every received chunk with its length. */
  readonly onBytes: (length: number) => void;
}

/**
 * The sink of a download: copies received chunks into slots of a shared pool, then writes each full slot
 * at its file offset (one write at a time, in order) while the hash workers read the same slot. Back-
 * pressure comes from the pool: with every slot busy, the chunk callback waits. On success `_final`
 * flushes and fsyncs. `settled()` resolves once no write is running, so the file length is then
 * exactly `written`.
 */
export class PartWriter extends Writable {
  readonly #options: PartWriterOptions;
  readonly #memory: Uint8Array;
  #slot: number | undefined;
  #fill = 0;
  /** File offset where the next dispatched slot goes. */
  #next: number;
  #written: number;
  #writes: Promise<void> = Promise.resolve();
  #writeError: unknown;
  #pace: NodeJS.Timeout | undefined;

  constructor(options: PartWriterOptions) {
    // Under a speed cap, a chunk waiting for its turn stops the source at once (and so the socket's
    // reading); otherwise a slot's worth may queue while the pool is busy.
    super({ highWaterMark: options.speedLimit === undefined ? options.pool.slotSize : 1 });
    this.#options = options;
    this.#memory = new Uint8Array(options.pool.buffer);
    this.#next = options.position;
    this.#written = options.position;
  }

  /** Length of the part file as far as completed writes go. */
  get written(): number {
    return this.#written;
  }

  /** Resolves when no write is queued or running. */
  settled(): Promise<void> {
    return this.#writes;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#writeError !== undefined) return callback(this.#writeError as Error);
    const { maxLength } = this.#options;
    const length = this.#next + this.#fill + chunk.length;
    if (maxLength !== undefined && length > maxLength) {
      return callback(new SizeMismatchError({ expected: maxLength, actual: length, what: 'server sent more bytes than the artifact size' }));
    }
    this.#copy(chunk, 0, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      if (this.#slot !== undefined && this.#fill > 0) this.#dispatch();
    } catch (error) {
      return callback(error as Error);
    }
    this.#writes
      .then(async () => {
        if (this.#writeError !== undefined) throw this.#writeError;
        await this.#options.file.sync();
      })
      .then(() => callback(), (error: Error) => callback(error));
  }

  /**
   * The transfer stopped (connection cut, stall, abort): the bytes received so far are still good, so
   * the partly filled slot is written too and a resume continues right after them.
   */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#pace);
    try {
      if (this.#slot !== undefined && this.#fill > 0 && this.#writeError === undefined) this.#dispatch();
    } catch {
      // A failed hash worker: the part keeps what was written; the next attempt re-hashes it from disk.
    }
    if (this.#slot !== undefined) this.#options.pool.release(this.#slot);
    this.#slot = undefined;
    this.#fill = 0;
    this.#writes.then(() => callback(error), () => callback(error));
  }

  #copy(chunk: Buffer, from: number, callback: (error?: Error | null) => void): void {
    const { pool } = this.#options;
    try {
      while (from < chunk.length) {
        if (this.#slot === undefined) {
          const slot = pool.take();
          if (slot === undefined) {
            void pool.whenFree().then(() => {
              if (!this.destroyed) this.#copy(chunk, from, callback);
            });
            return;
          }
          this.#slot = slot;
          this.#fill = 0;
        }
        const n = Math.min(pool.slotSize - this.#fill, chunk.length - from);
        this.#memory.set(chunk.subarray(from, from + n), pool.offset(this.#slot) + this.#fill);
        this.#fill += n;
        from += n;
        if (this.#fill === pool.slotSize) this.#dispatch();
      }
    } catch (error) {
      return callback(error as Error);
    }
    this.#options.onBytes(chunk.length);
    const wait = this.#options.speedLimit?.delayMs(chunk.length) ?? 0;
    if (wait > 0) this.#pace = setTimeout(callback, wait);
    else callback();
  }

  /** Hands the current slot to the hash workers and queues its write; the slot is ours no more. */
  #dispatch(): void {
    const slot = this.#slot;
    if (slot === undefined) return;
    const length = this.#fill;
    const at = this.#next;
    this.#slot = undefined;
    this.#fill = 0;
    this.#next += length;
    const { file, pool, session } = this.#options;
    try {
      session?.feed(slot, length);
    } catch (error) {
      pool.release(slot);
      throw error;
    }
    this.#writes = this.#writes.then(async () => {
      try {
        if (this.#writeError !== undefined) return;
        const view = pool.view(slot, length);
        let done = 0;
        while (done < length) {
          const { bytesWritten } = await file.write(view, done, length - done, at + done);
          if (bytesWritten === 0) throw new Error(`write to the part file made no progress at offset ${at + done}`);
          done += bytesWritten;
        }
        this.#written = at + length;
      } catch (error) {
        this.#writeError ??= error;
      } finally {
        pool.release(slot);
      }
    });
  }
}
