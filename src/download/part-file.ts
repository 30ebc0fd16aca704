import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { HashAlgorithm } from './errors.js';
import { HashSession } from './hash-session.js';
import { PartWriter, type PartWriterOptions } from './part-writer.js';
import type { SlotPool } from './slot-pool.js';

/**
 * The `.part` file of one download and the running hashes of its bytes. Invariant between attempts:
 * the hash session (when hashing) has seen exactly the file's `length` bytes; `rewind()` restores it by
 * re-reading the bytes on disk whenever that is not certain (a new call, a failed write).
 */
export class PartFile {
  readonly path: string;
  readonly #file: FileHandle;
  /** The same file opened with O_DIRECT, for the slots' aligned writes (slot-writes.ts); undefined where refused. */
  readonly #direct: FileHandle | undefined;
  readonly #pool: SlotPool;
  readonly #algorithms: readonly HashAlgorithm[];
  #session: HashSession | undefined;
  #length: number;

  private constructor(path: string, file: FileHandle, direct: FileHandle | undefined, length: number, pool: SlotPool, algorithms: readonly HashAlgorithm[]) {
    this.path = path;
    this.#file = file;
    this.#direct = direct;
    this.#length = length;
    this.#pool = pool;
    this.#algorithms = algorithms;
  }

  /**
   * Opens (creating when missing, never truncating) the part file at `path`; with an aligned pool a
   * second time with O_DIRECT, unless the file system refuses it (tmpfs before Linux 6.6, UBIFS, JFFS2:
   * EINVAL), when every write goes through the page cache.
   */
  static async open(path: string, algorithms: readonly HashAlgorithm[], pool: SlotPool): Promise<PartFile> {
    const file = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    let direct: FileHandle | undefined;
    try {
      const { size } = await file.stat();
      if (pool.aligned && constants.O_DIRECT !== undefined) direct = await open(path, constants.O_WRONLY | constants.O_DIRECT).catch(() => undefined);
      return new PartFile(path, file, direct, size, pool, algorithms);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  get length(): number {
    return this.#length;
  }

  /** Cuts the file to `offset` bytes (≤ length) and makes the hashes cover exactly those bytes. */
  async rewind(offset: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (offset !== this.#length) {
      await this.#file.truncate(offset);
      this.#length = offset;
    }
    if (this.#algorithms.length === 0 || this.#session?.bytes === offset) return;
    await this.#session?.close();
    this.#session = new HashSession(this.#algorithms, this.#pool);
    await this.#session.feedFile(this.path, offset, options);
  }

  /** A sink that appends at `length`; call `settle()` with it when the transfer ends, however it ends. */
  writer(options: Pick<PartWriterOptions, 'maxLength' | 'speedLimit' | 'onBytes'>): PartWriter {
    return new PartWriter({ ...options, file: this.#file, direct: this.#direct, position: this.#length, pool: this.#pool, session: this.#session });
  }

  /** Waits for the writer's last write and takes the file length it left (cutting any torn tail). */
  async settle(writer: PartWriter): Promise<void> {
    await writer.settled();
    this.#length = writer.written;
    await this.#file.truncate(this.#length);
  }

  /** Digests of the file's bytes (ends the hash session). */
  async digests(): Promise<Map<HashAlgorithm, string>> {
    if (this.#session === undefined) return new Map();
    const session = this.#session;
    this.#session = undefined;
    try {
      return await session.digests();
    } finally {
      await session.close();
    }
  }

  /** fsync: the data is on disk before the rename makes it visible under the final name. */
  async sync(): Promise<void> {
    await this.#file.sync();
  }

  async close(): Promise<void> {
    await this.#session?.close();
    this.#session = undefined;
    await this.#file.close().catch(() => undefined);
    await this.#direct?.close().catch(() => undefined);
  }
}
