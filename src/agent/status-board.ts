import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Redactor, type Logger } from '../log/index.js';

export const STATUS_FILE = 'status.json';

/** What `hawkbit-rauc status` shows besides the persisted phase. */
export interface StatusSnapshot {
  readonly pid: number;
  readonly updatedAt: string;
  readonly actionId?: string;
  readonly activity: string;
  readonly progress?: { readonly percent: number; readonly message: string };
  readonly lastError?: string;
  readonly lastPollAt?: string;
  /** What the last poll found (or why it failed), when it ended: what `poll-now` prints. */
  readonly lastPollFound?: { readonly at: string; readonly found: string; readonly failed?: boolean };
  readonly waitingFor?: string;
}

/**
 * A small JSON file in state_dir that the running service keeps current (at most once a second for
 * progress) so that `hawkbit-rauc status` and other local tools can show what is going on. Written at
 * every poll (once: a deferred change waits for the next write), so without fsync: it is informational
 * and rewritten at start. A change that changes nothing writes nothing (flash wear).
 *
 * Written synchronously (a temp file renamed over the old one, so readers never see a partial file):
 * a few hundred bytes into the page cache, ~0.05 ms; the same four calls through the libuv thread pool
 * cost 0.15–0.4 ms of CPU per poll in hand-offs between threads (docs/performance.md › Agent).
 */
export class StatusBoard {
  #snapshot: StatusSnapshot = { pid: process.pid, updatedAt: new Date().toISOString(), activity: 'starting' };
  #lastWrite = 0;
  /** The snapshot last handed to a write (undefined after a failed one: written again next time). */
  #written: StatusSnapshot | undefined;
  /** state_dir exists (made once; it may not yet on a fresh device that has persisted nothing). */
  #dirMade = false;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    /** Applied to every string written (server texts in activity, progress and lastError may echo a secret). */
    private readonly redactor: Redactor = new Redactor(),
  ) {}

  get snapshot(): StatusSnapshot {
    return this.#snapshot;
  }

  /**
   * Merges `change` into the snapshot; written at once unless nothing changed, or `throttle` and written
   * < 1 s ago, or `defer` (then with the next write, e.g. a poll's start goes with its result).
   */
  set(change: Partial<Omit<StatusSnapshot, 'pid' | 'updatedAt'>>, options: { throttle?: boolean; defer?: boolean } = {}): void {
    const next = { ...this.#snapshot, ...change, pid: process.pid };
    if (!sameContent(next, this.#snapshot)) this.#snapshot = { ...next, updatedAt: new Date().toISOString() };
    const now = Date.now();
    if (options.defer || (options.throttle && now - this.#lastWrite < 1000)) return;
    const snapshot = this.#snapshot;
    if (this.#written !== undefined && sameContent(snapshot, this.#written)) return;
    this.#lastWrite = now;
    this.#written = snapshot;
    try {
      if (!this.#dirMade) mkdirSync(this.dir, { recursive: true });
      this.#dirMade = true;
      replaceFile(join(this.dir, STATUS_FILE), `${this.redactor.stringify(snapshot, 2)}\n`);
    } catch (error) {
      // A state_dir removed meanwhile is made again at the next write.
      this.#dirMade = false;
      this.#written = undefined;
      this.log.debug(`status file not written: ${(error as Error).message}`);
    }
  }

  /** Every write is done when set() returns; kept for callers that wait for writes (tests, shutdown). */
  flush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Writes `content` to a temp file beside `path` and renames it over `path` (no fsync: see StatusBoard). */
function replaceFile(path: string, content: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeFileSync(fd, content);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** The same snapshot but for `updatedAt` (undefined fields are absent in the file either way). */
function sameContent(a: StatusSnapshot, b: StatusSnapshot): boolean {
  return JSON.stringify({ ...a, updatedAt: undefined }) === JSON.stringify({ ...b, updatedAt: undefined });
}

export async function readStatus(dir: string): Promise<StatusSnapshot | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, STATUS_FILE), 'utf8')) as StatusSnapshot;
  } catch {
    return undefined;
  }
}
