import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';

export type HashAlgorithm = 'md5' | 'sha1' | 'sha256';

/** A URL fit for a message: no user info, query or fragment (pre-signed URLs carry secrets there). */
export function urlForMessage(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The file's content does not match a hash the server gave. The part file is deleted. */
export class ChecksumMismatchError extends HawkbitRaucError {
  override readonly name = 'ChecksumMismatchError';
  readonly code = 'DOWNLOAD_CHECKSUM_MISMATCH';
  readonly algorithm: HashAlgorithm;
  readonly expected: string;
  readonly actual: string;

  constructor(details: { algorithm: HashAlgorithm; expected: string; actual: string; file: string }) {
    super(`${details.algorithm} of ${details.file} is ${details.actual}, expected ${details.expected}`);
    this.algorithm = details.algorithm;
    this.expected = details.expected;
    this.actual = details.actual;
  }
}

/** Not enough free space for the file, before the transfer (statfs) or during it (ENOSPC). */
export class InsufficientSpaceError extends HawkbitRaucError {
  override readonly name = 'InsufficientSpaceError';
  readonly code = 'DOWNLOAD_INSUFFICIENT_SPACE';
  readonly required: number;
  readonly available: number;
  readonly directory: string;

  constructor(details: { required: number; available: number; directory: string }, options?: { cause?: unknown }) {
    super(`not enough space in ${details.directory}: ${details.required} bytes required, ${details.available} bytes available`, options);
    this.required = details.required;
    this.available = details.available;
    this.directory = details.directory;
  }
}

/** The transfer was slower than the configured low-speed rate for the configured time. */
export class DownloadStalledError extends HawkbitRaucError {
  override readonly name = 'DownloadStalledError';
  readonly code = 'DOWNLOAD_STALLED';
  readonly rate: number;
  readonly timeMs: number;

  constructor(details: { rate: number; timeMs: number; url: string }) {
    super(`download from ${urlForMessage(details.url)} slower than ${details.rate} B/s for ${details.timeMs} ms`);
    this.rate = details.rate;
    this.timeMs = details.timeMs;
  }
}

/** No response (headers) from the server within the connect timeout. */
export class DownloadTimeoutError extends HawkbitRaucError {
  override readonly name = 'DownloadTimeoutError';
  readonly code = 'DOWNLOAD_CONNECT_TIMEOUT';
  readonly timeoutMs: number;

  constructor(details: { timeoutMs: number; url: string }) {
    super(`no response from ${urlForMessage(details.url)} within ${details.timeoutMs} ms`);
    this.timeoutMs = details.timeoutMs;
  }
}

/** The server answered with a status the downloader cannot use. */
export class DownloadHttpError extends HawkbitRaucError {
  override readonly name = 'DownloadHttpError';
  readonly code = 'DOWNLOAD_HTTP_STATUS';
  readonly status: number;
  readonly url: string;
  /** Milliseconds the server asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs: number | undefined;

  constructor(details: { status: number; url: string; reason?: string; retryAfterMs?: number }) {
    super(`download from ${urlForMessage(details.url)} failed: HTTP ${details.status}${details.reason ? ` (${details.reason})` : ''}`);
    this.status = details.status;
    this.url = urlForMessage(details.url);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The server-given filename cannot be used safely as a file name. */
export class UnsafeFilenameError extends HawkbitRaucError {
  override readonly name = 'UnsafeFilenameError';
  readonly code = 'DOWNLOAD_UNSAFE_FILENAME';
  readonly filename: string;

  constructor(filename: string, reason: string) {
    super(`unsafe artifact filename ${JSON.stringify(filename)}: ${reason}`);
    this.filename = filename;
  }
}

/** The server sent (or announced) a different number of bytes than the artifact's size. */
export class SizeMismatchError extends HawkbitRaucError {
  override readonly name = 'SizeMismatchError';
  readonly code = 'DOWNLOAD_SIZE_MISMATCH';
  readonly expected: number;
  readonly actual: number;
  /** The body ended cleanly before the expected size (a later attempt may fetch the rest). */
  readonly truncated: boolean;

  constructor(details: { expected: number; actual: number; what: string; truncated?: boolean }) {
    super(`${details.what}: ${details.actual} bytes, expected ${details.expected}`);
    this.expected = details.expected;
    this.actual = details.actual;
    this.truncated = details.truncated ?? false;
  }
}

/** No hash was given for the file and unverified downloads are not allowed. */
export class UnverifiedDownloadError extends HawkbitRaucError {
  override readonly name = 'UnverifiedDownloadError';
  readonly code = 'DOWNLOAD_UNVERIFIED';

  constructor(filename: string) {
    super(`no MD5, SHA-1 or SHA-256 hash given for ${JSON.stringify(filename)} and unverified downloads are not allowed`);
  }
}

/** Every attempt failed; `cause` is the last failure. */
export class DownloadFailedError extends HawkbitRaucError {
  override readonly name = 'DownloadFailedError';
  readonly code = 'DOWNLOAD_FAILED';
  readonly attempts: number;

  constructor(details: { attempts: number; filename: string; reason: string }, options?: { cause?: unknown }) {
    super(`download of ${details.filename} failed after ${details.attempts} attempt(s): ${details.reason}`, options);
    this.attempts = details.attempts;
  }
}

export const isChecksumMismatchError = (e: unknown): e is ChecksumMismatchError => isErrorNamed(e, 'ChecksumMismatchError');
export const isInsufficientSpaceError = (e: unknown): e is InsufficientSpaceError => isErrorNamed(e, 'InsufficientSpaceError');
export const isDownloadStalledError = (e: unknown): e is DownloadStalledError => isErrorNamed(e, 'DownloadStalledError');
export const isDownloadTimeoutError = (e: unknown): e is DownloadTimeoutError => isErrorNamed(e, 'DownloadTimeoutError');
export const isDownloadHttpError = (e: unknown): e is DownloadHttpError => isErrorNamed(e, 'DownloadHttpError');
export const isUnsafeFilenameError = (e: unknown): e is UnsafeFilenameError => isErrorNamed(e, 'UnsafeFilenameError');
export const isSizeMismatchError = (e: unknown): e is SizeMismatchError => isErrorNamed(e, 'SizeMismatchError');
export const isUnverifiedDownloadError = (e: unknown): e is UnverifiedDownloadError => isErrorNamed(e, 'UnverifiedDownloadError');
export const isDownloadFailedError = (e: unknown): e is DownloadFailedError => isErrorNamed(e, 'DownloadFailedError');
