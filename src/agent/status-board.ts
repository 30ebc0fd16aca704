import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Redactor, type Logger } from '../log/index.js';
import { isoTime } from '../lib/iso-time.js';

export const STATUS_FILE = 'status.json';

/** The snapshot's timestamps: made by the board and the agent from the clock (isoTime), never a server's text. */
const OWN_TIMES: ReadonlySet<string> = new Set(['updatedAt', 'lastPollAt', 'at']);

/** The longest the times in the file lag behind the last poll's (see StatusBoard): a reader that ignores the file's time is at most this late. */
export const FILE_TIME_MAX_MS = 60_000;

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
 * A small JSON file that the running service keeps current (at most once a second for progress) so that
 * `hawkbit-rauc status`, `poll-now` and other local tools can show what is going on. Kept current at
 * every poll (once: a deferred change waits for the next write), without fsync: it is informational and
 * rewritten at start. A change that changes nothing writes nothing.
 *
 * Where: with a runtime directory (systemd's `RuntimeDirectory=`, on tmpfs under /run) the file lives
 * there and `state_dir/status.json` is a symlink to it, made once (readers open the same path either
 * way; when the service has stopped, systemd removes the directory and the link leads nowhere: no
 * status, as for a service that never ran). An idle poll then writes nothing to the device's storage.
 * Without one (a shell, tests, other init systems) the file is `state_dir/status.json` itself.
 *
 * A temp file is written synchronously (a few hundred bytes) and renamed over the old one, so readers
 * never see a partial file. In state_dir the rename goes through the thread pool: on ext4 it may wait
 * for the disk (ext4 starts writing the new data out when a file is replaced), and the rest would cost
 * more in hand-offs between threads than it takes (four calls there: 0.35–0.45 ms of CPU per write,
 * one: 0.15). On tmpfs nothing waits for a disk, so there all of it is synchronous, without a promise.
 * The paths are made once; the timestamps, which the board makes itself, are not redacted.
 *
 * An idle poll that found what the poll before it found changes only the poll's times: then the file
 * is not replaced, only its modification time set to the poll's (one system call instead of a new
 * file: ≈ 0.15 ms of CPU per poll at a poll a second, docs/performance.md › Levers, fifteenth round),
 * for up to a minute: then the whole file again, so a reader of the times in it is at most a minute
 * late (at hawkBit's usual poll interval of minutes every poll writes the file, as before). So the
 * file's modification time is the last poll's when it is later than the `lastPollAt` in it (a write
 * sets the new file's time back to `lastPollAt`), and `readStatus` gives the later one.
 */
export class StatusBoard {
  #snapshot: StatusSnapshot = { pid: process.pid, updatedAt: isoTime(), activity: 'starting' };
  /** `contentOf(#snapshot)`, kept with it: each change is serialized once to compare it. */
  #content = contentOf(this.#snapshot);
  #lastWrite = 0;
  /** When the whole file was last written (the times in it). */
  #lastRewrite = -Infinity;
  /** The content last handed to a write (undefined after a failed one: written again next time). */
  #written: string | undefined;
  /** The write under way (its rename), and the newest snapshot waiting for it. */
  #pending: Promise<void> | undefined;
  #queued: StatusSnapshot | undefined;
  /** The file's directory exists (made once; state_dir may not yet on a fresh device that has persisted nothing). */
  #dirMade = false;
  /** With a runtime directory: state_dir's link to the file there was checked (once per start). */
  #linked = false;
  /** The file, and the temp file written before it is renamed over the file. */
  readonly #file: string;
  readonly #temp: string;

  constructor(
    /** state_dir: where readers look. */
    private readonly dir: string,
    private readonly log: Logger,
    /** Applied to every string written (server texts in activity, progress and lastError may echo a secret). */
    private readonly redactor: Redactor = new Redactor(),
    /** Where the file is kept while the service runs (tmpfs, e.g. /run/hawkbit-rauc); undefined: in `dir`. */
    private readonly runtimeDir?: string,
    /** The clock for the board's intervals (tests). */
    private readonly now: () => number = Date.now,
  ) {
    this.#file = join(runtimeDir ?? dir, STATUS_FILE);
    this.#temp = join(runtimeDir ?? dir, `.${STATUS_FILE}.${process.pid}.tmp`);
  }

  /** The file written: in the runtime directory when there is one, else `state_dir/status.json`. */
  get path(): string {
    return this.#file;
  }

  get snapshot(): StatusSnapshot {
    return this.#snapshot;
  }

  /**
   * Merges `change` into the snapshot; written at once unless nothing changed, or `throttle` and written
   * < 1 s ago, or `defer` (then with the next write, e.g. a poll's start goes with its result); when
   * only the poll's times moved, as the file's time, unless `rewrite` (then the whole file).
   */
  set(change: Partial<Omit<StatusSnapshot, 'pid' | 'updatedAt'>>, options: { throttle?: boolean; defer?: boolean; rewrite?: boolean } = {}): void {
    const next = { ...this.#snapshot, ...change, pid: process.pid };
    const content = contentOf(next);
    if (content !== this.#content) {
      this.#snapshot = { ...next, updatedAt: isoTime() };
      this.#content = content;
    }
    const now = this.now();
    if (options.defer || (options.throttle && now - this.#lastWrite < 1000)) return;
    if (this.#content === this.#written) return;
    this.#lastWrite = now;
    const touched = !options.rewrite && now - this.#lastRewrite < FILE_TIME_MAX_MS && this.#touch();
    this.#written = this.#content;
    if (touched) return;
    this.#lastRewrite = now;
    this.#write(this.#snapshot);
  }

  /**
   * Only the poll's times moved since the last write (an idle poll like the one before): the file's
   * time is set to the poll's instead of a new file. Not while a rename is under way (it would set the
   * old file's), not when the file was last written a minute ago or longer (FILE_TIME_MAX_MS), and
   * not when the time cannot be set (then the whole file is written).
   */
  #touch(): boolean {
    const written = this.#written;
    const at = pollTimeOf(this.#snapshot);
    if (written === undefined || at === undefined || this.#pending !== undefined || restOf(written) !== restOf(this.#content)) return false;
    try {
      utimesSync(this.#file, at / 1000, at / 1000);
      return true;
    } catch {
      return false;
    }
  }

  /** Waits for pending writes (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.#pending !== undefined) await this.#pending;
  }

  /**
   * One write at a time; a snapshot set meanwhile waits for it, and only the newest one is written. In
   * a runtime directory a write is done when this returns.
   */
  #write(snapshot: StatusSnapshot): void {
    if (this.#pending !== undefined) {
      this.#queued = snapshot;
      return;
    }
    if (!this.#writeTemp(snapshot)) return;
    if (this.runtimeDir !== undefined) {
      try {
        renameSync(this.#temp, this.#file);
      } catch (error) {
        this.#failed(snapshot, error);
        return;
      }
      if (!this.#linked) this.#link();
      return;
    }
    this.#pending = rename(this.#temp, this.#file)
      .catch((error: unknown) => this.#failed(snapshot, error))
      .finally(() => {
        this.#pending = undefined;
        const next = this.#queued;
        this.#queued = undefined;
        if (next !== undefined) this.#write(next);
      });
  }

  /** Writes the temp file; false (the failure handled) when that failed. */
  #writeTemp(snapshot: StatusSnapshot): boolean {
    try {
      if (!this.#dirMade) mkdirSync(this.runtimeDir ?? this.dir, { recursive: true });
      this.#dirMade = true;
      writeFileSync(this.#temp, `${this.redactor.stringify(snapshot, 2, OWN_TIMES)}\n`, { mode: 0o600 });
      // The new file's time is the poll's, so that readers take the times in it (see the class).
      const at = pollTimeOf(snapshot);
      if (at !== undefined) utimesSync(this.#temp, at / 1000, at / 1000);
      return true;
    } catch (error) {
      this.#failed(snapshot, error);
      return false;
    }
  }

  /** A failed write: the directory is made again and the same content written again at the next write. */
  #failed(snapshot: StatusSnapshot, error: unknown): void {
    this.#dirMade = false;
    if (this.#written === contentOf(snapshot)) this.#written = undefined;
    removeQuietly(this.#temp);
    this.log.debug(`status file not written: ${(error as Error).message}`);
  }

  /**
   * Makes `state_dir/status.json` a symlink to the file in the runtime directory, unless it is one
   * already (then nothing is written): a new link replaces a regular file or another link in one step.
   * Tried once per start; if it fails, readers see no status (or an old one), the service goes on.
   */
  #link(): void {
    this.#linked = true;
    const link = join(this.dir, STATUS_FILE);
    const target = this.path;
    const temp = join(this.dir, `.${STATUS_FILE}.${process.pid}.link`);
    try {
      if (readLink(link) === target) return;
      mkdirSync(this.dir, { recursive: true });
      removeQuietly(temp);
      symlinkSync(target, temp);
      renameSync(temp, link);
    } catch (error) {
      removeQuietly(temp);
      this.log.warning(`${link} could not be linked to ${target} (${(error as Error).message}): \`hawkbit-rauc status\` does not see the running service`);
    }
  }
}

/** The target of a symlink; undefined for anything else or nothing. */
function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** A temp file left by a failed write goes; when even that fails (no directory), there is none to remove. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing to remove
  }
}

/**
 * What a snapshot says but for `updatedAt`, as text to compare (undefined fields are absent in the file
 * either way): the poll's times on the first line, the rest after it (`restOf`).
 */
function contentOf(snapshot: StatusSnapshot): string {
  const found = snapshot.lastPollFound;
  const rest = JSON.stringify({ ...snapshot, updatedAt: undefined, lastPollAt: undefined, lastPollFound: found && { ...found, at: undefined } });
  return `${snapshot.lastPollAt ?? ''} ${found?.at ?? ''}\n${rest}`;
}

function restOf(content: string): string {
  return content.slice(content.indexOf('\n'));
}

/** The time (ms) of a poll that succeeded and is the last one (`lastPollAt` and `lastPollFound.at` are the same): what the file's time may stand for. */
function pollTimeOf(snapshot: StatusSnapshot): number | undefined {
  const at = snapshot.lastPollAt;
  if (at === undefined || at !== snapshot.lastPollFound?.at) return undefined;
  const time = Date.parse(at);
  return Number.isFinite(time) ? time : undefined;
}

/** The status file in `dir`, its poll's times taken from the file's time when that is later (see StatusBoard). */
export async function readStatus(dir: string): Promise<StatusSnapshot | undefined> {
  let file: Awaited<ReturnType<typeof open>> | undefined;
  try {
    file = await open(join(dir, STATUS_FILE), 'r');
    const [stats, text] = await Promise.all([file.stat(), file.readFile('utf8')]);
    return withFileTime(JSON.parse(text) as StatusSnapshot, stats.mtimeMs);
  } catch {
    return undefined;
  } finally {
    await file?.close().catch(() => undefined);
  }
}

/** A snapshot read from the file, with the last poll's time from the file's modification time (`mtimeMs`) when that is later. */
export function withFileTime(snapshot: StatusSnapshot, mtimeMs: number): StatusSnapshot {
  const at = pollTimeOf(snapshot);
  const found = snapshot.lastPollFound;
  const time = Math.round(mtimeMs);
  if (at === undefined || found === undefined || !(time > at)) return snapshot;
  const iso = isoTime(time);
  return { ...snapshot, updatedAt: iso > snapshot.updatedAt ? iso : snapshot.updatedAt, lastPollAt: iso, lastPollFound: { ...found, at: iso } };
}
