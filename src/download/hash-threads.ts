import type { Worker } from 'node:worker_threads';

/**
 * The idle hash threads of one kept SlotPool (a SlotPoolCache's): threads made for that pool's memory,
 * given back once their session's digest was answered, so the next download on the pool starts none.
 * An idle thread does not keep the process alive; one that fails or exits while idle is dropped.
 */
export class HashThreads {
  readonly #idle: Worker[] = [];
  readonly #drops = new Map<Worker, () => void>();
  #closed = false;

  get idle(): number {
    return this.#idle.length;
  }

  /** An idle thread (its hashes to be started by the caller), or undefined. */
  take(): Worker | undefined {
    const worker = this.#idle.pop();
    if (worker === undefined) return undefined;
    this.#forget(worker);
    worker.ref();
    return worker;
  }

  /** Keeps a thread whose last message was answered and that has no listener of a session left. */
  give(worker: Worker): void {
    if (this.#closed) {
      void worker.terminate();
      return;
    }
    const drop = (): void => {
      this.#forget(worker);
      const at = this.#idle.indexOf(worker);
      if (at >= 0) this.#idle.splice(at, 1);
    };
    this.#drops.set(worker, drop);
    worker.on('error', drop);
    worker.once('exit', drop);
    worker.unref();
    this.#idle.push(worker);
  }

  /** Ends every idle thread; a thread given back later is ended at once. */
  async close(): Promise<void> {
    this.#closed = true;
    const idle = this.#idle.splice(0);
    for (const worker of idle) this.#forget(worker);
    await Promise.all(idle.map((worker) => worker.terminate()));
  }

  #forget(worker: Worker): void {
    const drop = this.#drops.get(worker);
    if (drop === undefined) return;
    this.#drops.delete(worker);
    worker.off('error', drop);
    worker.off('exit', drop);
  }
}
