import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { HashAlgorithm } from './errors.js';
import { placeHashes } from './hash-placement.js';
import { HashWorker } from './hash-worker.js';
import type { SlotPool } from './slot-pool.js';

/**
 * The running hashes of one file's bytes, placed by `placeHashes`: on worker threads (one per algorithm
 * when the machine has a core to spare for each besides the receiving thread; on 2 cores MD5 on a
 * worker and the other hash on the receiving thread), or all on the receiving thread when the process
 * has a single core.
 * `bytes` counts what was fed; a session is only valid for a part file of exactly that length.
 */
export class HashSession {
  readonly #pool: SlotPool;
  readonly #workers: HashWorker[];
  readonly #inline: readonly { readonly algorithm: HashAlgorithm; readonly hash: Hash }[];
  #bytes = 0;

  constructor(algorithms: readonly HashAlgorithm[], pool: SlotPool, cores = availableParallelism()) {
    this.#pool = pool;
    // A pool that keeps its hash threads serves many downloads of one process (the fleet's SlotPoolCache).
    const placement = placeHashes(algorithms, cores, pool.threads !== undefined);
    this.#inline = placement.inline.map((algorithm) => ({ algorithm, hash: createHash(algorithm) }));
    this.#workers = placement.workers.map((group) => new HashWorker(group, pool));
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Queues `length` bytes of `slot` for every algorithm (each worker holds the slot until done). */
  feed(slot: number, length: number): void {
    for (const worker of this.#workers) worker.update(slot, length);
    if (this.#inline.length > 0) {
      const bytes = this.#pool.view(slot, length);
      for (const { hash } of this.#inline) hash.update(bytes);
    }
    this.#bytes += length;
  }

  /** Feeds the first `length` bytes of the file at `path` (the bytes already on disk when resuming). */
  async feedFile(path: string, length: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (length <= 0 || (this.#workers.length === 0 && this.#inline.length === 0)) {
      this.#bytes += Math.max(0, length);
      return;
    }
    const file = await open(path, 'r');
    try {
      let position = 0;
      while (position < length) {
        options.signal?.throwIfAborted();
        const slot = this.#pool.take();
        if (slot === undefined) {
          await this.#pool.whenFree();
          continue;
        }
        try {
          const want = Math.min(this.#pool.slotSize, length - position);
          const { bytesRead } = await file.read(this.#pool.view(slot, want), 0, want, position);
          if (bytesRead === 0) throw new Error(`${path} is shorter than ${length} bytes`);
          this.feed(slot, bytesRead);
          position += bytesRead;
        } finally {
          this.#pool.release(slot);
        }
      }
    } finally {
      await file.close();
    }
  }

  /** Final digests (hex, lower case) of everything fed. */
  async digests(): Promise<Map<HashAlgorithm, string>> {
    const hexes = await Promise.all(this.#workers.map((worker) => worker.digest()));
    return new Map([
      ...this.#inline.map(({ algorithm, hash }) => [algorithm, hash.digest('hex')] as const),
      ...this.#workers.flatMap((worker, index) => worker.algorithms.map((algorithm, at) => [algorithm, hexes[index]?.[at] ?? ''] as const)),
    ]);
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.close()));
  }
}
