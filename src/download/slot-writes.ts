import type { FileHandle } from 'node:fs/promises';
import { DIRECT_IO_ALIGN } from './aligned-memory.js';
import type { SlotPool } from './slot-pool.js';

/** Slots written by one system call at most (a quarter of the default pool). */
const MAX_BATCH = 4;
/**
 * Written bytes after which the part file's data goes to the disk (fdatasync) while the download goes
 * on, so the fsync at the end has little left to wait for and dirty pages stay bounded.
 */
export const FLUSH_BYTES = 32 * 1024 * 1024;

export interface SlotWritesOptions {
  readonly file: FileHandle;
  /**
   * The same file opened with O_DIRECT, for writes whose memory (the pool must be `aligned`), offset and
   * length are multiples of DIRECT_IO_ALIGN; undefined: every write goes through `file`.
   */
  readonly direct: FileHandle | undefined;
  readonly pool: SlotPool;
  /** File offset of the first slot pushed. */
  readonly position: number;
  /** Written bytes between two flushes (FLUSH_BYTES unless a test says otherwise). */
  readonly flushBytes: number;
}

/**
 * The file side of a download: full slots are written at their offsets in order, one system call at a
 * time (slots that queued up meanwhile go together in one `writev`), each slot released when its write
 * is done, whatever became of it. Aligned writes bypass the page cache (O_DIRECT): on the receiving
 * machine the kernel's copy of every byte into the page cache and its later write-back cost more CPU
 * than the direct write itself (docs/performance.md › Levers, eleventh round); the rest, and everything
 * when the file system refuses direct I/O (EINVAL), go through the page cache. The first failure is
 * kept in `error`; later slots are released unwritten.
 */
export class SlotWrites {
  readonly #options: SlotWritesOptions;
  #direct: FileHandle | undefined;
  #written: number;
  #writes: Promise<void> = Promise.resolve();
  readonly #queue: { readonly slot: number; readonly length: number }[] = [];
  #writing = false;
  /** File offset up to which a flush was started; the flush running, if any. */
  #flushedTo: number;
  #flushing: Promise<void> | undefined;
  #error: unknown;

  constructor(options: SlotWritesOptions) {
    this.#options = options;
    this.#direct = options.pool.aligned ? options.direct : undefined;
    this.#written = options.position;
    this.#flushedTo = options.position;
  }

  /** Length of the file as far as completed writes go. */
  get written(): number {
    return this.#written;
  }

  /** The first write or flush failure, if any. */
  get error(): unknown {
    return this.#error;
  }

  /** Direct writes are still possible: a slot whose file range starts aligned will go straight to the disk. */
  get direct(): boolean {
    return this.#direct !== undefined;
  }

  /** Queues `slot`'s first `length` bytes after the ones pushed before; the slot is released once written. */
  push(slot: number, length: number): void {
    this.#queue.push({ slot, length });
    if (!this.#writing) this.#writes = this.#writeQueued();
  }

  /** Resolves when no write or flush is queued or running. */
  async settled(): Promise<void> {
    await this.#writes;
    await this.#flushing;
  }

  async #writeQueued(): Promise<void> {
    this.#writing = true;
    const { pool } = this.#options;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        try {
          if (this.#error === undefined) await this.#write(batch.map(({ slot, length }) => pool.view(slot, length)));
        } catch (error) {
          this.#error ??= error;
        } finally {
          for (const { slot } of batch) pool.release(slot);
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  /**
   * Writes `views` at `written`, going on after a short write: the leading views that may go direct
   * (aligned offset and length) in one call, the rest through the page cache.
   */
  async #write(views: Buffer[]): Promise<void> {
    while (views.length > 0) {
      const direct = this.#directCount(views);
      let bytesWritten: number;
      try {
        ({ bytesWritten } = await (direct > 0 ? this.#direct! : this.#options.file).writev(direct > 0 ? views.slice(0, direct) : views, this.#written));
      } catch (error) {
        if (direct === 0 || (error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
        // The file system took the O_DIRECT open but not this write (alignment it wants larger): buffered from now on.
        this.#direct = undefined;
        continue;
      }
      if (bytesWritten === 0) throw new Error(`write to the part file made no progress at offset ${this.#written}`);
      this.#written += bytesWritten;
      this.#flushBehind();
      let left = bytesWritten;
      while (left > 0 && views.length > 0) {
        const first = views[0]!;
        if (first.length > left) {
          views[0] = first.subarray(left);
          left = 0;
        } else {
          left -= first.length;
          views.shift();
        }
      }
    }
  }

  /** How many of the first `views` may be written with O_DIRECT at `written` (0: none, or no direct handle). */
  #directCount(views: readonly Buffer[]): number {
    if (this.#direct === undefined || this.#written % DIRECT_IO_ALIGN !== 0) return 0;
    let count = 0;
    while (count < views.length && views[count]!.byteOffset % DIRECT_IO_ALIGN === 0 && views[count]!.length % DIRECT_IO_ALIGN === 0) count++;
    return count;
  }

  /** Starts an fdatasync once `flushBytes` more were written (one at a time); its failure fails the download. */
  #flushBehind(): void {
    if (this.#flushing !== undefined || this.#written - this.#flushedTo < this.#options.flushBytes) return;
    this.#flushedTo = this.#written;
    this.#flushing = this.#options.file.datasync().then(
      () => {
        this.#flushing = undefined;
      },
      (error: unknown) => {
        this.#flushing = undefined;
        this.#error ??= error;
      },
    );
  }
}
