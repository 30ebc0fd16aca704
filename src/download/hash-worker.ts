import { Worker } from 'node:worker_threads';
import type { HashAlgorithm } from './errors.js';
import type { SlotPool } from './slot-pool.js';

// Plain CommonJS so the same source runs from dist/ and under tsx (a worker gets no TypeScript loader).
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const memory = new Uint8Array(workerData.buffer);
const hash = createHash(workerData.algorithm);
parentPort.on('message', (message) => {
  if (message.type === 'update') {
    hash.update(memory.subarray(message.offset, message.offset + message.length));
    parentPort.postMessage({ type: 'done' });
  } else {
    parentPort.postMessage({ type: 'digest', hex: hash.digest('hex') });
  }
});
`;

type Reply = { readonly type: 'done' } | { readonly type: 'digest'; readonly hex: string };

/**
 * One hash algorithm computed on its own thread over slots of a SlotPool, in the order they are fed.
 * Each fed slot is held until the worker has hashed it, so the receive thread never waits for hashing
 * unless every slot is busy (that is the back-pressure).
 */
export class HashWorker {
  readonly algorithm: HashAlgorithm;
  readonly #pool: SlotPool;
  readonly #worker: Worker;
  readonly #pending: number[] = [];
  #digest: { resolve: (hex: string) => void; reject: (error: unknown) => void } | undefined;
  #failure: unknown;
  #closed = false;

  constructor(algorithm: HashAlgorithm, pool: SlotPool) {
    this.algorithm = algorithm;
    this.#pool = pool;
    this.#worker = new Worker(SOURCE, { eval: true, execArgv: [], workerData: { algorithm, buffer: pool.buffer } });
    this.#worker.on('message', (reply: Reply) => this.#onReply(reply));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`${algorithm} hash worker exited with code ${code}`));
    });
  }

  update(slot: number, length: number): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#pool.hold(slot);
    this.#pending.push(slot);
    this.#worker.postMessage({ type: 'update', offset: this.#pool.offset(slot), length });
  }

  /** The hex digest of everything fed so far; the worker cannot be fed afterwards. */
  digest(): Promise<string> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#digest = { resolve, reject };
      this.#worker.postMessage({ type: 'digest' });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#worker.terminate();
    this.#releasePending();
  }

  #onReply(reply: Reply): void {
    if (reply.type === 'done') {
      const slot = this.#pending.shift();
      if (slot !== undefined) this.#pool.release(slot);
    } else {
      this.#digest?.resolve(reply.hex);
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
