import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';

/** What was wrong with a response the artifact reader could not parse. */
export type MalformedPart = 'status-line' | 'header' | 'head-too-large' | 'content-length' | 'transfer-encoding' | 'framing';

/**
 * The server's answer is not valid HTTP/1.1 (status line, header syntax, a head over the size bound,
 * a bad or conflicting Content-Length, a Transfer-Encoding other than chunked, or both framings at
 * once). Like Node's own parser errors it is not retried: the same server will answer the same way.
 */
export class MalformedResponseError extends HawkbitRaucError {
  override readonly name = 'MalformedResponseError';
  readonly code = 'HTTP_RESPONSE_MALFORMED';

  constructor(readonly part: MalformedPart, detail: string, options?: { cause?: unknown }) {
    super(`malformed HTTP response (${part}): ${detail}`, options);
  }
}

export function isMalformedResponseError(value: unknown): value is MalformedResponseError {
  return isErrorNamed(value, 'MalformedResponseError');
}

/** A chunked body broke its framing (bad chunk size, missing CRLF after a chunk). Retried, like a cut. */
export class BadChunkError extends HawkbitRaucError {
  override readonly name = 'BadChunkError';
  readonly code = 'HTTP_BAD_CHUNK';

  constructor(detail: string) {
    super(`bad chunked body: ${detail}`);
  }
}

export function isBadChunkError(value: unknown): value is BadChunkError {
  return isErrorNamed(value, 'BadChunkError');
}

/** The connection closed before the response's head or its framed body (length or last chunk) was complete. Retried. */
export class IncompleteResponseError extends HawkbitRaucError {
  override readonly name = 'IncompleteResponseError';
  readonly code = 'HTTP_RESPONSE_INCOMPLETE';

  constructor(detail: string, options?: { cause?: unknown }) {
    super(`the server closed the connection ${detail}`, options);
  }
}

export function isIncompleteResponseError(value: unknown): value is IncompleteResponseError {
  return isErrorNamed(value, 'IncompleteResponseError');
}
