import { Worker } from 'node:worker_threads';
import type { HashAlgorithm } from './errors.js';
import type { SlotPool } from './slot-pool.js';

// Plain CommonJS so the same source runs from dist/ and under tsx (a worker gets no TypeScript loader).
// A thread kept with its pool (SlotPool.threads) also takes 'start': the next session's fresh hashes;
// without `kept` the text is the plain one-session worker.
const source = (kept: boolean): string => `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const memory = new Uint8Array(workerData.buffer);
${kept ? 'let' : 'const'} hashes = workerData.algorithms.map((algorithm) => createHash(algorithm));
parentPort.on('message', (message) => {
  if (message.type === 'update') {
    const bytes = memory.subarray(message.offset, message.offset + message.length);
    for (const hash of hashes) hash.update(bytes);
    parentPort.postMessage({ type: 'done' });
${kept ? "  } else if (message.type === 'start') {\n    hashes = message.algorithms.map((algorithm) => createHash(algorithm));\n" : ''}  } else {
    parentPort.postMessage({ type: 'digest', hexes: hashes.map((hash) => hash.digest('hex')) });
  }
});
`;
const SOURCE = source(false);
const KEPT_SOURCE = source(true);

type Reply = { readonly type: 'done' } | { readonly type: 'digest'; readonly hexes: readonly string[] };

/**
 * Hash algorithms computed on their own thread over slots of a SlotPool, in the order they are fed.
 * Each fed slot is held until the worker has hashed it, so the receive thread never waits for hashing
 * unless every slot is busy (that is the back-pressure). A pool that keeps threads (`pool.threads`)
 * lends one, and gets it back at close() when its digest was answered (else the thread is ended).
 */
export class HashWorker {
  readonly algorithms: readonly HashAlgorithm[];
  readonly #pool: SlotPool;
  readonly #worker: Worker;
  readonly #pending: number[] = [];
  readonly #onMessage = (reply: Reply): void => this.#onReply(reply);
  readonly #onError = (error: unknown): void => this.#fail(error);
  readonly #onExit = (code: number): void => {
    if (!this.#closed) this.#fail(new Error(`${this.algorithms.join('+')} hash worker exited with code ${code}`));
  };
  #digest: { resolve: (hexes: readonly string[]) => void; reject: (error: unknown) => void } | undefined;
  #digested = false;
  #failure: unknown;
  #closed = false;

  constructor(algorithms: readonly HashAlgorithm[], pool: SlotPool) {
    this.algorithms = algorithms;
    this.#pool = pool;
    const kept = pool.threads?.take();
    if (kept !== undefined) {
      this.#worker = kept;
      kept.postMessage({ type: 'start', algorithms });
    } else {
      this.#worker = new Worker(pool.threads ? KEPT_SOURCE : SOURCE, { eval: true, execArgv: [], workerData: { algorithms, buffer: pool.buffer } });
    }
    this.#worker.on('message', this.#onMessage);
    this.#worker.on('error', this.#onError);
    this.#worker.on('exit', this.#onExit);
  }

  update(slot: number, length: number): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#pool.hold(slot);
    this.#pending.push(slot);
    this.#worker.postMessage({ type: 'update', offset: this.#pool.offset(slot), length });
  }

  /** The hex digests (in `algorithms` order) of everything fed so far; the worker cannot be fed afterwards. */
  digest(): Promise<readonly string[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#digest = { resolve, reject };
      this.#worker.postMessage({ type: 'digest' });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const threads = this.#pool.threads;
    if (threads !== undefined && this.#digested && this.#failure === undefined && this.#pending.length === 0) {
      // Every message was answered (the digest comes after the last 'done'): the thread is idle.
      this.#worker.off('message', this.#onMessage);
      this.#worker.off('error', this.#onError);
      this.#worker.off('exit', this.#onExit);
      threads.give(this.#worker);
      return;
    }
    await this.#worker.terminate();
    this.#releasePending();
  }

  #onReply(reply: Reply): void {
    if (reply.type === 'done') {
      const slot = this.#pending.shift();
      if (slot !== undefined) this.#pool.release(slot);
    } else {
      this.#digested = true;
      this.#digest?.resolve(reply.hexes);
      this.#digest = undefined;
    }
  }

  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#releasePending();
    this.#digest?.reject(error);
    this.#digest = undefined;
  }

  #releasePending(): void {
    for (const slot of this.#pending.splice(0)) this.#pool.release(slot);
  }
}
