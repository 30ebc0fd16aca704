import type { ArtifactDownloader } from '../agent/index.js';
import type { DownloadOptions, DownloadRequest, DownloadResult } from '../download/index.js';

/**
 * At most `limit` whole downloads of the fleet at once (its `--download-concurrency`): a download holds
 * its place from its first byte of memory to its verified file, retries included, so the fleet's slot
 * pools and hash threads (a SlotPoolCache of the same size) are all it ever needs. The request gate's
 * download lane alone bounds only the requests: a download waiting there already held its 4 MiB pool
 * and its hash thread. Waiters go first come, first served; an abort takes a waiter out of the queue.
 */
export class DownloadBound {
  readonly limit: number;
  #running = 0;
  readonly #queue: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  get running(): number {
    return this.#running;
  }

  /** Downloads waiting for a place. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Wraps a device's downloader (createAgent's `wrapDownloader`). */
  wrap(downloader: ArtifactDownloader): ArtifactDownloader {
    return {
      download: async (request: DownloadRequest, options?: DownloadOptions): Promise<DownloadResult> => {
        await this.#enter(options?.signal);
        try {
          return await downloader.download(request, options);
        } finally {
          this.#leave();
        }
      },
    };
  }

  #enter(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.#running < this.limit) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const start = (): void => {
        signal?.removeEventListener('abort', abort);
        this.#running++;
        resolve();
      };
      const abort = (): void => {
        const at = this.#queue.indexOf(start);
        if (at >= 0) this.#queue.splice(at, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.#queue.push(start);
    });
  }

  #leave(): void {
    this.#running--;
    const next = this.#queue.shift();
    next?.();
  }
}
