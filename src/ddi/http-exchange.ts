import type { Readable } from 'node:stream';
import axios from 'axios';
import { linkSignals } from '../lib/abort.js';
import { errorMessage } from '../lib/errors.js';
import { sanitizeForLog } from '../lib/sanitize.js';
import type { Logger } from '../log/index.js';
import { describeNetworkFailure, parseRetryAfter, withRetry, type RetryPolicy, type Transport } from '../net/index.js';
import { PreparedAxios } from './axios-call.js';
import { DdiActionClosedError, DdiAuthError, DdiHttpError, DdiNetworkError, DdiNotFoundError, DdiProtocolError, DdiQuotaError } from './errors.js';
import { ddiRetryAfterMs, isRetryable } from './retryable.js';

export interface ExchangeOptions {
  readonly transport: Pick<Transport, 'httpAgent' | 'httpsAgent'> | undefined;
  /** The Authorization header value, or undefined (client certificate). Only ever put into the header. */
  readonly authorization: string | undefined;
  /** What to check when the server refuses the credential (names config keys, never values). */
  readonly credentialHint: string;
  readonly userAgent: string;
  /** Whole-request timeout (0 = none). */
  readonly timeoutMs: number;
  /** Largest JSON body accepted. */
  readonly maxBodyBytes: number;
  readonly retry: RetryPolicy;
  readonly log: Logger;
}

export interface ExchangeRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: string;
  readonly body?: unknown;
  readonly ifNoneMatch?: string;
  /** For 410: the action the call was about. */
  readonly actionId?: string;
  readonly signal?: AbortSignal;
}

export interface ExchangeResponse {
  readonly status: number;
  readonly etag: string | undefined;
  readonly text: string;
}

const QUOTA_CODE = /^hawkbit\.server\.error\.quota\./;

/** One DDI request/response over axios: headers, timeout, body cap, typed errors, retries, debug log. */
export class HttpExchange {
  readonly #options: ExchangeOptions;
  readonly #axios: PreparedAxios;

  constructor(options: ExchangeOptions) {
    this.#options = options;
    this.#axios = new PreparedAxios(options.transport);
  }

  send(request: ExchangeRequest): Promise<ExchangeResponse> {
    return withRetry(() => this.#attempt(request), this.#options.retry, {
      shouldRetry: isRetryable,
      retryAfterMs: ddiRetryAfterMs,
      signal: request.signal,
      onRetry: (error, attempt, waitMs) =>
        this.#options.log.info(`${request.method} ${pathOf(request.url)} failed (${sanitizeForLog(errorMessage(error))}); retry ${attempt} in ${Math.round(waitMs / 100) / 10} s`),
    });
  }

  async #attempt(request: ExchangeRequest): Promise<ExchangeResponse> {
    const { method, url } = request;
    const path = pathOf(url);
    const linked = linkSignals([request.signal], this.#options.timeoutMs);
    const { signal } = linked;
    const started = Date.now();
    const headers: Record<string, string> = { Accept: 'application/hal+json, application/json', 'User-Agent': this.#options.userAgent };
    if (this.#options.authorization !== undefined) headers.Authorization = this.#options.authorization;
    if (request.ifNoneMatch !== undefined) headers['If-None-Match'] = request.ifNoneMatch;
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    let status: number;
    let text: string;
    let etag: string | undefined;
    let retryAfter: string | undefined;
    try {
      const response = await this.#axios.request({ method, url, headers, signal, ...(request.body === undefined ? {} : { data: JSON.stringify(request.body) }) });
      status = response.status;
      etag = headerOf(response.headers, 'etag');
      retryAfter = headerOf(response.headers, 'retry-after');
      text = await readCapped(response.data, this.#options.maxBodyBytes, `${method} ${path}`);
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      this.#options.log.debug(`${method} ${path} failed after ${Date.now() - started} ms`, { method, path });
      if (linked.timedOut) {
        throw new DdiNetworkError('timeout', `${method} ${url}: no complete answer within ${this.#options.timeoutMs / 1000} s (timeout)`);
      }
      throw toNetworkError(error, method, url);
    } finally {
      linked.dispose();
    }
    this.#options.log.debug(`${method} ${path} → ${status} (${Date.now() - started} ms)`, { method, path, status, durationMs: Date.now() - started });
    if ((status >= 200 && status < 300) || status === 304) return { status, etag, text };
    throw this.#statusError(request, status, text, retryAfter);
  }

  #statusError(request: ExchangeRequest, status: number, text: string, retryAfter: string | undefined): Error {
    const what = `${request.method} ${pathOf(request.url)}`;
    const errorCode = errorCodeOf(text);
    if ((status === 403 || status === 429) && errorCode !== undefined && QUOTA_CODE.test(errorCode)) {
      return new DdiQuotaError(status, errorCode, `${what}: the server's quota is exhausted (${status} ${errorCode})`);
    }
    if (status === 401 || status === 403) {
      return new DdiAuthError(status, `${what}: the server refused the credential (${status}); ${this.#options.credentialHint}`);
    }
    if (status === 404) return new DdiNotFoundError(pathOf(request.url), `${what}: not found (404): the action is gone, canceled or not in this state`);
    if (status === 410 && request.actionId !== undefined) {
      return new DdiActionClosedError(request.actionId, `${what}: action ${request.actionId} is closed on the server (410); stop reporting on it`);
    }
    const retryAfterMs = parseRetryAfter(retryAfter);
    const after = retryAfterMs === undefined ? '' : ` (Retry-After ${Math.round(retryAfterMs / 1000)} s)`;
    return new DdiHttpError(status, retryAfterMs, `${what}: the server answered ${status}${errorCode ? ` ${errorCode}` : ''}${after}`);
  }
}

async function readCapped(stream: Readable, maxBytes: number, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > maxBytes) {
      stream.destroy();
      throw new DdiProtocolError('(body)', `${what}: the answer is larger than ${maxBytes} bytes; refusing to read it`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toNetworkError(error: unknown, method: string, url: string): Error {
  if (error instanceof DdiProtocolError) return error;
  const failure = describeNetworkFailure(error);
  const message = failure?.message ?? (error instanceof Error ? error.message : String(error));
  return new DdiNetworkError(failure?.kind ?? 'other', `${method} ${url}: ${message}`, { cause: withoutRequest(error) });
}

/**
 * An axios error holds the request config, headers included (the Authorization token): never keep it
 * as a cause. Its own cause (the Node system or TLS error) is safe.
 */
function withoutRequest(error: unknown): unknown {
  if (!axios.isAxiosError(error)) return error;
  return error.cause ?? Object.assign(new Error(error.message), { code: error.code });
}

function headerOf(headers: unknown, name: string): string | undefined {
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** hawkBit's ExceptionInfo `errorCode`, when the body is one. */
function errorCodeOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    const code = typeof parsed === 'object' && parsed !== null ? (parsed as { errorCode?: unknown }).errorCode : undefined;
    return typeof code === 'string' ? sanitizeForLog(code, { maxLength: 120, singleLine: true }) : undefined;
  } catch {
    return undefined;
  }
}

/** The path of a URL, for log lines (no query, no host; the URL parser percent-encodes control characters). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(invalid URL)';
  }
}
