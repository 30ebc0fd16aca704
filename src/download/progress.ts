import type { DownloadProgress } from './types.js';

/**
 * Calls `onProgress` at most once per 1 % of the total (when known) or per second, whichever comes
 * first, with the rate over the time since the previous report.
 */
export class ProgressThrottle {
  readonly #total: number | undefined;
  readonly #onProgress: ((progress: DownloadProgress) => void) | undefined;
  readonly #step: number;
  #lastAt = performance.now();
  #lastBytes: number;
  #rate = 0;

  constructor(options: { total: number | undefined; start: number; onProgress: ((progress: DownloadProgress) => void) | undefined }) {
    this.#total = options.total;
    this.#onProgress = options.onProgress;
    this.#lastBytes = options.start;
    this.#step = options.total !== undefined && options.total > 0 ? options.total / 100 : Number.POSITIVE_INFINITY;
  }

  /** `bytesDone` is the file's length so far (resumed bytes included). */
  update(bytesDone: number): void {
    if (this.#onProgress === undefined) return;
    const now = performance.now();
    if (bytesDone - this.#lastBytes < this.#step && now - this.#lastAt < 1000) return;
    this.#emit(bytesDone, now);
  }

  /** A last report when the file is complete. */
  finish(bytesDone: number): void {
    if (this.#onProgress !== undefined && bytesDone !== this.#lastBytes) this.#emit(bytesDone, performance.now());
  }

  /** Restart the rate measurement (after a pause between attempts); `bytesDone` may go down. */
  restart(bytesDone: number): void {
    this.#lastAt = performance.now();
    this.#lastBytes = bytesDone;
  }

  #emit(bytesDone: number, now: number): void {
    const seconds = (now - this.#lastAt) / 1000;
    if (seconds > 0) this.#rate = Math.max(0, (bytesDone - this.#lastBytes) / seconds);
    this.#lastAt = now;
    this.#lastBytes = bytesDone;
    this.#onProgress?.({ bytesDone, bytesTotal: this.#total, rate: Math.round(this.#rate) });
  }
}
