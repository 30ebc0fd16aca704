import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { DownloadHttpError } from './errors.js';

export interface OpenRequest {
  readonly url: string;
  /** Caller's headers (e.g. Authorization): sent only while the URL keeps the first URL's origin. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Bytes already on disk: asks for `Range: bytes=offset-` when > 0. */
  readonly offset: number;
  readonly httpAgent: HttpAgent | undefined;
  readonly httpsAgent: HttpsAgent | undefined;
  readonly maxRedirects: number;
  readonly signal: AbortSignal;
}

export interface OpenedResponse {
  readonly status: number;
  /** URL that answered (after redirects). */
  readonly url: string;
  readonly header: (name: string) => string | undefined;
  readonly body: Readable;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GETs `request.url` and follows redirects itself (bounded), so that the caller's headers are dropped as
 * soon as a hop leaves the first URL's origin (scheme, host and port). Any non-redirect status is
 * returned with its unread body; the caller decides what it means.
 *
 * Node's own client rather than axios (which the API calls use): the body is the socket's response
 * stream either way, and a plain request costs less CPU per GiB (docs/performance.md); the transport's
 * agents (TLS, client certificate, proxy, connect timeout) are the same.
 */
export async function openResponse(request: OpenRequest): Promise<OpenedResponse> {
  const origin = new URL(request.url).origin;
  let url = request.url;
  for (let hop = 0; ; hop++) {
    const sameOrigin = new URL(url).origin === origin;
    const headers: Record<string, string> = {
      ...(sameOrigin ? stripReserved(request.headers) : {}),
      'Accept-Encoding': 'identity',
      ...(request.offset > 0 ? { Range: `bytes=${request.offset}-` } : {}),
    };
    const response = await get(url, headers, request);
    const header = (name: string): string | undefined => {
      const value = response.headers[name.toLowerCase()];
      return typeof value === 'string' ? value : Array.isArray(value) ? value[0] : undefined;
    };
    const status = response.statusCode ?? 0;
    if (!REDIRECTS.has(status)) return { status, url, header, body: response };
    response.destroy();
    const location = header('location');
    if (location === undefined) throw new DownloadHttpError({ status, url, reason: 'redirect without Location' });
    if (hop >= request.maxRedirects) throw new DownloadHttpError({ status, url, reason: `more than ${request.maxRedirects} redirects` });
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new DownloadHttpError({ status, url, reason: `redirect to unsupported scheme ${next.protocol}` });
    }
    url = next.href;
  }
}

/** One GET through the transport's agent for the URL's scheme; resolves with the unread response. */
function get(url: string, headers: Record<string, string>, request: OpenRequest): Promise<IncomingMessage> {
  const https = new URL(url).protocol === 'https:';
  return new Promise((resolve, reject) => {
    const options = { method: 'GET', headers, signal: request.signal, agent: https ? request.httpsAgent : request.httpAgent };
    const outgoing = https ? httpsRequest(url, options) : httpRequest(url, options);
    // After the response, a failure of the connection reaches the caller through the body stream.
    outgoing.on('error', reject);
    outgoing.on('response', resolve);
    outgoing.end();
  });
}

/** The caller may not override the headers the downloader itself controls. */
function stripReserved(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower !== 'range' && lower !== 'accept-encoding' && lower !== 'host') kept[name] = value;
  }
  return kept;
}
