import { isDdiHttpError, isDdiNetworkError } from './errors.js';

/** Statuses worth another try: timeout, conflict (concurrent update on the server), rate limit, 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Network failures (not TLS or proxy refusals, which a retry cannot fix) and retryable statuses. Never
 * 401/403/404/410, quota or protocol errors, nor an abort. How often and how long to wait: the
 * `ddiCall` policy (src/net RETRY_POLICIES).
 */
export function isRetryable(error: unknown): boolean {
  if (isDdiNetworkError(error)) return error.kind !== 'tls' && error.kind !== 'proxy';
  if (isDdiHttpError(error)) return isRetryableStatus(error.status);
  return false;
}

/** The server's Retry-After carried by a DDI error, in milliseconds. */
export function ddiRetryAfterMs(error: unknown): number | undefined {
  return isDdiHttpError(error) ? error.retryAfterMs : undefined;
}
