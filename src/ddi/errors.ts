import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';
import { sanitizeForLog } from '../lib/sanitize.js';
import type { NetworkFailureKind } from '../net/index.js';

/**
 * Base of the DDI errors. Their messages quote what the server sent (hrefs, error codes, JSON parser
 * snippets, ids), and they end up in logs, on terminals and in feedback: escape sequences and control
 * characters are removed and the length is capped here, once for all of them.
 */
abstract class DdiError extends HawkbitRaucError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(sanitizeForLog(message), options);
  }
}

/** Any other HTTP status the call did not expect (5xx, 408, 409, 429 without quota, 400, 3xx…). */
export class DdiHttpError extends DdiError {
  override readonly name = 'DdiHttpError';
  readonly code = 'DDI_HTTP';

  constructor(
    readonly status: number,
    /** From `Retry-After` (seconds or HTTP date), when the server sent one. */
    readonly retryAfterMs: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 401, or 403 without a quota error code: the credential was refused. Never carries the credential. */
export class DdiAuthError extends DdiError {
  override readonly name = 'DdiAuthError';
  readonly code = 'DDI_AUTH';

  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** No HTTP answer: DNS, refused, reset, timeout, TLS or proxy failure. */
export class DdiNetworkError extends DdiError {
  override readonly name = 'DdiNetworkError';
  readonly code = 'DDI_NETWORK';

  constructor(readonly kind: NetworkFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The server's answer does not fit the DDI model: the message names the JSON field path. */
export class DdiProtocolError extends DdiError {
  override readonly name = 'DdiProtocolError';
  readonly code = 'DDI_PROTOCOL';

  constructor(readonly field: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** 410 on feedback: the action is closed on the server. Final: stop reporting, never retry. */
export class DdiActionClosedError extends DdiError {
  override readonly name = 'DdiActionClosedError';
  readonly code = 'DDI_ACTION_CLOSED';

  constructor(readonly actionId: string, message: string) {
    super(message);
  }
}

/** 404: the resource (usually an action) is gone, canceled, reassigned or not in the asked state. */
export class DdiNotFoundError extends DdiError {
  override readonly name = 'DdiNotFoundError';
  readonly code = 'DDI_NOT_FOUND';

  constructor(readonly path: string, message: string) {
    super(message);
  }
}

/**
 * A server quota was hit (403 up to hawkBit 0.9, 429 from 0.10, both with a `hawkbit.server.error.quota.*`
 * errorCode), e.g. too many status entries for an action or too many attributes. Resending the same
 * request cannot succeed, so it is not retried.
 */
export class DdiQuotaError extends DdiError {
  override readonly name = 'DdiQuotaError';
  readonly code = 'DDI_QUOTA';

  constructor(readonly status: number, readonly errorCode: string, message: string) {
    super(message);
  }
}

export const isDdiHttpError = (value: unknown): value is DdiHttpError => isErrorNamed(value, 'DdiHttpError');
export const isDdiAuthError = (value: unknown): value is DdiAuthError => isErrorNamed(value, 'DdiAuthError');
export const isDdiNetworkError = (value: unknown): value is DdiNetworkError => isErrorNamed(value, 'DdiNetworkError');
export const isDdiProtocolError = (value: unknown): value is DdiProtocolError => isErrorNamed(value, 'DdiProtocolError');
export const isDdiActionClosedError = (value: unknown): value is DdiActionClosedError => isErrorNamed(value, 'DdiActionClosedError');
export const isDdiNotFoundError = (value: unknown): value is DdiNotFoundError => isErrorNamed(value, 'DdiNotFoundError');
export const isDdiQuotaError = (value: unknown): value is DdiQuotaError => isErrorNamed(value, 'DdiQuotaError');
