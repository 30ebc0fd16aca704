import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { errorMessage, systemErrorCode } from '../lib/errors.js';
import type { Logger } from '../log/index.js';
import { RETRY_POLICIES, withRetry, type RetryPolicy } from '../net/index.js';
import { runAttempt } from './attempt.js';
import { DownloadFailedError, InsufficientSpaceError, isChecksumMismatchError, isSizeMismatchError, SizeMismatchError, urlForMessage } from './errors.js';
import { assertDigests, hashesToCheck, type ExpectedHash } from './expected-hashes.js';
import { availableBytes, checkFreeSpace } from './free-space.js';
import { HashSession } from './hash-session.js';
import { PartFile } from './part-file.js';
import { targetPaths, type TargetPaths } from './paths.js';
import { ProgressThrottle } from './progress.js';
import { SlotPool } from './slot-pool.js';
import { downloadRetryAfterMs, isTransient, isUrlFailure } from './transient.js';
import type { DownloaderOptions, DownloadOptions, DownloadRequest, DownloadResult } from './types.js';

/**
 * Slot size and count of the shared receive/hash memory: 4 MiB per running download. Slots of 256 KiB
 * stay in the CPU's cache from the socket read to the write and the hashes (docs/performance.md).
 */
export const SLOT_SIZE = 256 * 1024;
export const SLOT_COUNT = 16;
const MAX_REDIRECTS = 10;

/**
 * Streams artifacts to `<directory>/<safe name>.part`, hashing on worker threads as the bytes arrive,
 * resumes with Range after transient failures (bounded), and renames to the final name only when size
 * and hashes match.
 */
export class Downloader {
  readonly #settings: DownloaderOptions;
  readonly #log: Logger;

  constructor(options: DownloaderOptions & { log: Logger }) {
    const { log, ...settings } = options;
    this.#settings = settings;
    this.#log = log.child({ component: 'download' });
  }

  async download(request: DownloadRequest, options: DownloadOptions = {}): Promise<DownloadResult> {
    const { signal } = options;
    signal?.throwIfAborted();
    const paths = targetPaths(request.directory, request.filename);
    const expected = hashesToCheck(request.hashes, { allowUnverified: this.#settings.allowUnverified, filename: paths.name });
    if (request.urls.length === 0) throw new DownloadFailedError({ attempts: 0, filename: paths.name, reason: 'no URL given' });
    await mkdir(paths.directory, { recursive: true });
    const { pools } = this.#settings;
    if (pools === undefined) return this.#download(request, options, paths, expected, new SlotPool(SLOT_SIZE, SLOT_COUNT));
    const pool = pools.take(SLOT_SIZE, SLOT_COUNT);
    try {
      return await this.#download(request, options, paths, expected, pool);
    } finally {
      pools.give(pool);
    }
  }

  async #download(request: DownloadRequest, options: DownloadOptions, paths: TargetPaths, expected: readonly ExpectedHash[], pool: SlotPool): Promise<DownloadResult> {
    const { signal } = options;
    const reused = await this.#reuse(paths, request, expected, pool, signal);
    if (reused !== undefined) {
      options.onProgress?.({ bytesDone: reused.size, bytesTotal: reused.size, rate: 0 });
      return reused;
    }
    const part = await PartFile.open(paths.part, expected.map((hash) => hash.algorithm), pool);
    let removePart = false;
    try {
      if (request.size !== undefined && part.length > request.size) await part.rewind(0, { signal });
      await checkFreeSpace(paths.directory, (request.size ?? 0) - part.length, { signal });
      const bytesFetched = await this.#fetch(part, request, paths, options);
      if (request.size !== undefined && part.length !== request.size) {
        throw new SizeMismatchError({ expected: request.size, actual: part.length, what: 'downloaded file' });
      }
      const verified = assertDigests(expected, await part.digests(), paths.name);
      await part.sync();
      await part.close();
      await rename(paths.part, paths.final);
      await syncDirectory(paths.directory);
      this.#log.info('download verified', { file: paths.final, size: part.length, bytesFetched, ...verified });
      return { path: paths.final, size: part.length, verified, reused: false, bytesFetched };
    } catch (error) {
      // Bytes that cannot become the artifact go; a part that may still be resumed stays.
      if (isChecksumMismatchError(error) || (isSizeMismatchError(error) && !error.truncated)) removePart = true;
      throw await this.#translate(error, paths, request, () => {
        removePart = true;
      });
    } finally {
      await part.close();
      if (removePart) await rm(paths.part, { force: true });
    }
  }

  /**
   * Runs attempts under the `download` retry policy until the part holds the whole file; returns the
   * bytes received by this call. Retries exhausted on a transient failure: DownloadFailedError.
   */
  async #fetch(part: PartFile, request: DownloadRequest, paths: TargetPaths, options: DownloadOptions): Promise<number> {
    const { signal } = options;
    const progress = new ProgressThrottle({ total: request.size, start: part.length, onProgress: options.onProgress });
    if (request.size !== undefined && request.size > 0 && part.length === request.size) {
      this.#log.debug('part file is complete, verifying it', { file: paths.part });
      await part.rewind(part.length, { signal });
      return 0;
    }
    const policy = this.#retryPolicy();
    const fetch = { bytes: 0, urlIndex: 0, attempts: 0 };
    try {
      await withRetry(
        async (attempt) => {
          fetch.attempts = attempt;
          await this.#attempt(part, request, paths, options, progress, fetch);
        },
        policy,
        {
          shouldRetry: isTransient,
          retryAfterMs: downloadRetryAfterMs,
          signal,
          onRetry: (error, attempt, waitMs) =>
            this.#log.warning('download attempt failed, retrying', { file: paths.name, attempt, of: policy.retries, waitMs, error: errorMessage(error) }),
        },
      );
      return fetch.bytes;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!isTransient(error)) throw error;
      throw new DownloadFailedError({ attempts: fetch.attempts, filename: paths.name, reason: errorMessage(error) }, { cause: error });
    }
  }

  /** The `download` policy with this downloader's attempts and first wait. */
  #retryPolicy(): RetryPolicy {
    const { retries, retryDelayMs } = this.#settings;
    return { ...RETRY_POLICIES.download, retries, ...(retryDelayMs === undefined ? {} : { minDelayMs: retryDelayMs }) };
  }

  /**
   * One attempt: from the part's end (or 0 without resume), over the request's URLs in turn while they
   * fail before any byte arrived; the next attempt starts again at the first URL when all failed so.
   */
  async #attempt(part: PartFile, request: DownloadRequest, paths: TargetPaths, options: DownloadOptions, progress: ProgressThrottle, fetch: { bytes: number; urlIndex: number }): Promise<void> {
    const { signal } = options;
    for (;;) {
      const url = request.urls[fetch.urlIndex] ?? request.urls[0] ?? '';
      const before = fetch.bytes;
      try {
        await part.rewind(this.#settings.resume ? part.length : 0, { signal });
        if (part.length > 0) this.#log.info('resuming download', { file: paths.name, offset: part.length, url: urlForMessage(url) });
        progress.restart(part.length);
        await runAttempt({
          url,
          headers: request.headers,
          size: request.size,
          directory: paths.directory,
          part,
          settings: this.#settings,
          maxRedirects: MAX_REDIRECTS,
          signal,
          onBytes: (length) => {
            fetch.bytes += length;
            progress.update(part.length + fetch.bytes - before);
          },
          onRestart: () => {
            this.#log.info('server sent the whole file, not the asked range: starting from 0', { file: paths.name });
            progress.restart(0);
          },
        });
        progress.finish(part.length);
        return;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const urlFailed = fetch.bytes === 0 && isUrlFailure(error);
        if (urlFailed && fetch.urlIndex + 1 < request.urls.length) {
          this.#log.warning('download URL failed, trying the next one', { file: paths.name, url: urlForMessage(url), error: errorMessage(error) });
          fetch.urlIndex += 1;
          continue;
        }
        if (urlFailed) fetch.urlIndex = 0;
        throw error;
      }
    }
  }

  /** The verified final file when it is already there with the same size and hashes. */
  async #reuse(paths: TargetPaths, request: DownloadRequest, expected: readonly ExpectedHash[], pool: SlotPool, signal: AbortSignal | undefined): Promise<DownloadResult | undefined> {
    const existing = await stat(paths.final).catch(() => undefined);
    if (existing === undefined) return undefined;
    if (!existing.isFile()) throw new DownloadFailedError({ attempts: 0, filename: paths.name, reason: `${paths.final} exists and is not a file` });
    if (expected.length > 0 && (request.size === undefined || existing.size === request.size)) {
      const session = new HashSession(expected.map((hash) => hash.algorithm), pool);
      try {
        await session.feedFile(paths.final, existing.size, { signal });
        const verified = assertDigests(expected, await session.digests(), paths.name);
        this.#log.info('reusing verified file', { file: paths.final, size: existing.size });
        return { path: paths.final, size: existing.size, verified, reused: true, bytesFetched: 0 };
      } catch (error) {
        if (!isChecksumMismatchError(error)) throw error;
      } finally {
        await session.close();
      }
    }
    this.#log.info('replacing a different file of the same name', { file: paths.final });
    await rm(paths.final, { force: true });
    return undefined;
  }

  /** ENOSPC / EDQUOT while writing → InsufficientSpaceError (and the partial file goes). */
  async #translate(error: unknown, paths: TargetPaths, request: DownloadRequest, removePart: () => void): Promise<unknown> {
    const code = systemErrorCode(error);
    if (code !== 'ENOSPC' && code !== 'EDQUOT') return error;
    removePart();
    const available = await availableBytes(paths.directory).catch(() => 0);
    return new InsufficientSpaceError({ required: request.size ?? 0, available, directory: paths.directory }, { cause: error });
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
