import type { DownloadProgress } from './types.js';

/** The reported rate covers this much of the recent past. */
const RATE_WINDOW_MS = 5000;
/** Rate samples are taken at most this often. */
const SAMPLE_MS = 100;

/**
 * Calls `onProgress` when the bytes done cross a whole percent of the total (when known) or a second
 * after the previous report, whichever comes first. The rate is measured over the last 5 s (from the
 * attempt's start while it is younger), so neither a burst at the start nor a stall long ago distorts it.
 */
export class ProgressThrottle {
  readonly #total: number | undefined;
  readonly #onProgress: ((progress: DownloadProgress) => void) | undefined;
  readonly #now: () => number;
  #lastAt: number;
  #lastBytes: number;
  /** Oldest first; the first one is at least a window old once the attempt is. */
  #samples: { at: number; bytes: number }[];

  constructor(options: {
    total: number | undefined;
    start: number;
    onProgress: ((progress: DownloadProgress) => void) | undefined;
    /** Clock in milliseconds (tests); default performance.now. */
    now?: () => number;
  }) {
    this.#total = options.total;
    this.#onProgress = options.onProgress;
    this.#now = options.now ?? (() => performance.now());
    this.#lastAt = this.#now();
    this.#lastBytes = options.start;
    this.#samples = [{ at: this.#lastAt, bytes: options.start }];
  }

  /** `bytesDone` is the file's length so far (resumed bytes included). */
  update(bytesDone: number): void {
    if (this.#onProgress === undefined) return;
    const now = this.#now();
    this.#sample(now, bytesDone);
    if (this.#percent(bytesDone) === this.#percent(this.#lastBytes) && now - this.#lastAt < 1000) return;
    this.#emit(bytesDone, now);
  }

  /** A last report when the file is complete. */
  finish(bytesDone: number): void {
    if (this.#onProgress === undefined || bytesDone === this.#lastBytes) return;
    const now = this.#now();
    this.#sample(now, bytesDone);
    this.#emit(bytesDone, now);
  }

  /** Restart the rate measurement (a new attempt, after a pause); `bytesDone` may go down. */
  restart(bytesDone: number): void {
    this.#lastAt = this.#now();
    this.#lastBytes = bytesDone;
    this.#samples = [{ at: this.#lastAt, bytes: bytesDone }];
  }

  /** Bytes per second over the window ending at the newest sample. */
  rate(): number {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (first === undefined || last === undefined || last.at <= first.at) return 0;
    return Math.max(0, Math.round(((last.bytes - first.bytes) * 1000) / (last.at - first.at)));
  }

  #sample(now: number, bytes: number): void {
    const samples = this.#samples;
    const last = samples[samples.length - 1];
    if (last !== undefined && samples.length > 1 && now - (samples[samples.length - 2]?.at ?? now) < SAMPLE_MS) {
      last.at = now;
      last.bytes = bytes;
    } else {
      samples.push({ at: now, bytes });
    }
    // Keep the newest sample that is at least a window old as the window's start.
    while (samples.length > 2 && now - (samples[1]?.at ?? now) >= RATE_WINDOW_MS) samples.shift();
  }

  #percent(bytes: number): number {
    const total = this.#total;
    return total !== undefined && total > 0 ? Math.floor((bytes * 100) / total) : 0;
  }

  #emit(bytesDone: number, now: number): void {
    this.#lastAt = now;
    this.#lastBytes = bytesDone;
    this.#onProgress?.({ bytesDone, bytesTotal: this.#total, rate: this.rate() });
  }
}
