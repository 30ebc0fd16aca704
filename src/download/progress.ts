import type { DownloadProgress } from './types.js';

/**
 * Calls `onProgress` when the bytes done cross a whole percent of the total (when known) or a second
 * after the previous report, whichever comes first, with the rate over the time since that report.
 */
export class ProgressThrottle {
  readonly #total: number | undefined;
  readonly #onProgress: ((progress: DownloadProgress) => void) | undefined;
  #lastAt = performance.now();
  #lastBytes: number;
  #rate = 0;

  constructor(options: { total: number | undefined; start: number; onProgress: ((progress: DownloadProgress) => void) | undefined }) {
    this.#total = options.total;
    this.#onProgress = options.onProgress;
    this.#lastBytes = options.start;
  }

  /** `bytesDone` is the file's length so far (resumed bytes included). */
  update(bytesDone: number): void {
    if (this.#onProgress === undefined) return;
    const now = performance.now();
    if (this.#percent(bytesDone) === this.#percent(this.#lastBytes) && now - this.#lastAt < 1000) return;
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

  #percent(bytes: number): number {
    const total = this.#total;
    return total !== undefined && total > 0 ? Math.floor((bytes * 100) / total) : 0;
  }

  #emit(bytesDone: number, now: number): void {
    const seconds = (now - this.#lastAt) / 1000;
    if (seconds > 0) this.#rate = Math.max(0, (bytesDone - this.#lastBytes) / seconds);
    this.#lastAt = now;
    this.#lastBytes = bytesDone;
    this.#onProgress?.({ bytesDone, bytesTotal: this.#total, rate: Math.round(this.#rate) });
  }
}
