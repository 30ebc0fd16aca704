import { systemErrorCode } from '../lib/errors.js';
import { isDownloadHttpError, isDownloadStalledError, isDownloadTimeoutError, isSizeMismatchError } from './errors.js';

/**
 * Failures before any response: the next URL of the request may work where this one did not.
 * CONNECT_TIMEOUT is the shared transport's (src/net) ConnectTimeoutError.
 */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'CONNECT_TIMEOUT']);

/** Failures of a connection or a transfer that a later attempt may get past. */
const TRANSIENT_CODES = new Set([
  ...CONNECT_CODES,
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETRESET',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CLOSED',
  'ERR_BAD_RESPONSE',
  'HPE_INVALID_CHUNK_SIZE',
  'ERR_HTTP_CONTENT_LENGTH_MISMATCH',
  // The artifact reader's own (src/download/response-errors.ts): a cut response, a broken chunked body.
  'HTTP_RESPONSE_INCOMPLETE',
  'HTTP_BAD_CHUNK',
]);

/** 206/416 reach the retry policy only after a range trouble that reset the part file to 0. */
const TRANSIENT_STATUS = new Set([206, 408, 416, 425, 429]);

/**
 * Worth another attempt (with Range resume when enabled): resets, timeouts, stalls, a body that ended
 * early, 408/429/5xx. How often and how long to wait: the `download` policy (src/net RETRY_POLICIES).
 */
export function isTransient(error: unknown): boolean {
  if (isDownloadStalledError(error) || isDownloadTimeoutError(error)) return true;
  if (isSizeMismatchError(error)) return error.truncated;
  if (isDownloadHttpError(error)) return error.status >= 500 || TRANSIENT_STATUS.has(error.status);
  const code = systemErrorCode(error) ?? systemErrorCode((error as { cause?: unknown } | undefined)?.cause);
  return code !== undefined && TRANSIENT_CODES.has(code);
}

/** Failures that say "this URL does not work" (connection refused, unknown host, no answer, 404). */
export function isUrlFailure(error: unknown): boolean {
  if (isDownloadTimeoutError(error)) return true;
  if (isDownloadHttpError(error)) return error.status === 404;
  const code = systemErrorCode(error) ?? systemErrorCode((error as { cause?: unknown } | undefined)?.cause);
  return code !== undefined && CONNECT_CODES.has(code);
}

/** The server's Retry-After carried by a download error, in milliseconds. */
export function downloadRetryAfterMs(error: unknown): number | undefined {
  return isDownloadHttpError(error) ? error.retryAfterMs : undefined;
}
