import { linkSignals } from '../lib/abort.js';
import { parseRetryAfter } from '../net/index.js';
import { DownloadHttpError, DownloadStalledError, DownloadTimeoutError, SizeMismatchError } from './errors.js';
import { checkFreeSpace } from './free-space.js';
import { LowSpeedWatch } from './low-speed.js';
import { openResponse, type OpenedResponse } from './open-response.js';
import type { PartFile } from './part-file.js';
import { SpeedLimit } from './speed-limit.js';
import type { DownloaderOptions } from './types.js';

export interface AttemptOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Expected size of the whole file, when known. */
  readonly size: number | undefined;
  readonly directory: string;
  readonly part: PartFile;
  readonly settings: DownloaderOptions;
  readonly maxRedirects: number;
  readonly signal: AbortSignal | undefined;
  /** Every received chunk's length. */
  readonly onBytes: (length: number) => void;
  /** The part file went back to 0 (server ignored Range, or the part did not fit the server's file). */
  readonly onRestart: () => void;
}

/**
 * One HTTP exchange: asks for the bytes after the part's end and appends them. Resolves when the part
 * holds the whole file (not yet verified); rejects with the reason of the user's abort, a
 * DownloadTimeoutError / DownloadStalledError, a DownloadHttpError or the transport's error.
 */
export async function runAttempt(options: AttemptOptions): Promise<void> {
  const { part, settings, size } = options;
  const local = new AbortController();
  const linked = linkSignals([options.signal, local.signal]);
  const { signal } = linked;
  const reason = (error: unknown): unknown => (options.signal?.aborted ? options.signal.reason : local.signal.aborted ? local.signal.reason : error);
  const watch =
    settings.lowSpeedTimeMs > 0 && settings.lowSpeedRate > 0
      ? new LowSpeedWatch({
          rate: settings.lowSpeedRate,
          timeMs: settings.lowSpeedTimeMs,
          onStall: () => local.abort(new DownloadStalledError({ rate: settings.lowSpeedRate, timeMs: settings.lowSpeedTimeMs, url: options.url })),
        })
      : undefined;
  try {
    const response = await connect(options, local, signal).catch((error: unknown) => {
      throw reason(error);
    });
    const accepted = await accept(response, options).catch((error: unknown) => {
      response.body.destroy(); // e.g. no space for its Content-Length: the connection goes too
      throw error;
    });
    if (!accepted) return;
    watch?.restart();
    const writer = part.writer({
      maxLength: size,
      speedLimit: settings.speedLimit > 0 ? new SpeedLimit(settings.speedLimit) : undefined,
      onBytes: (length) => {
        watch?.add(length);
        options.onBytes(length);
      },
    });
    try {
      await response.body.pipeTo(writer, signal);
      await writer.finish();
    } catch (error) {
      response.body.destroy();
      writer.abort();
      throw reason(error);
    } finally {
      await part.settle(writer);
    }
    if (size !== undefined && part.length !== size) {
      throw new SizeMismatchError({ expected: size, actual: part.length, what: 'the server ended the body early', truncated: true });
    }
  } finally {
    watch?.stop();
    linked.dispose();
  }
}

async function connect(options: AttemptOptions, local: AbortController, signal: AbortSignal): Promise<OpenedResponse> {
  const { connectTimeoutMs } = options.settings;
  const timer =
    connectTimeoutMs > 0 ? setTimeout(() => local.abort(new DownloadTimeoutError({ timeoutMs: connectTimeoutMs, url: options.url })), connectTimeoutMs) : undefined;
  try {
    return await openResponse({
      url: options.url,
      headers: options.headers,
      offset: options.part.length,
      httpAgent: options.settings.httpAgent,
      httpsAgent: options.settings.httpsAgent,
      maxRedirects: options.maxRedirects,
      signal,
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Decides what a response means for the part file. Returns true when its body is to be appended,
 * false when the part already is the whole file (416 for a complete file); throws otherwise.
 */
async function accept(response: OpenedResponse, options: AttemptOptions): Promise<boolean> {
  const { part, size } = options;
  const offset = part.length;
  const status = response.status;
  if (status === 416 && offset > 0) {
    response.body.destroy();
    const total = parseTotal(response.header('content-range'));
    if (total === offset || (total === undefined && size === offset)) return false;
    await restart(options);
    throw new DownloadHttpError({ status, url: response.url, reason: `the part file (${offset} bytes) does not fit the server's file; starting again` });
  }
  if (status !== 200 && status !== 206) {
    response.body.destroy();
    throw new DownloadHttpError({ status, url: response.url, retryAfterMs: parseRetryAfter(response.header('retry-after')) });
  }
  if (status === 200 && offset > 0) await restart(options);
  if (status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.header('content-range')?.trim() ?? '');
    if (range === null || Number(range[1]) !== offset) {
      response.body.destroy();
      await restart(options);
      throw new DownloadHttpError({ status, url: response.url, reason: `Content-Range does not start at ${offset}; starting again` });
    }
  }
  const contentLength = parseLength(response.header('content-length'));
  if (size !== undefined && contentLength !== undefined && contentLength !== size - part.length) {
    response.body.destroy();
    throw new SizeMismatchError({ expected: size - part.length, actual: contentLength, what: 'Content-Length of the response' });
  }
  if (size === undefined && contentLength !== undefined) await checkFreeSpace(options.directory, contentLength);
  return true;
}

async function restart(options: AttemptOptions): Promise<void> {
  await options.part.rewind(0, { signal: options.signal });
  options.onRestart();
}

function parseTotal(contentRange: string | undefined): number | undefined {
  const match = /\/(\d+)\s*$/.exec(contentRange ?? '');
  return match ? Number(match[1]) : undefined;
}

function parseLength(value: string | undefined): number | undefined {
  return value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
}
