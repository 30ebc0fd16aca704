import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import axios from 'axios';
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
 * GETs `request.url` with axios as a stream and follows redirects itself (bounded), so that the
 * caller's headers are dropped as soon as a hop leaves the first URL's origin (scheme, host and port).
 * Any non-redirect status is returned with its unread body; the caller decides what it means.
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
    const response = await axios.request<Readable>({
      url,
      method: 'GET',
      headers,
      responseType: 'stream',
      maxRedirects: 0,
      decompress: false,
      validateStatus: () => true,
      maxContentLength: -1,
      httpAgent: request.httpAgent,
      httpsAgent: request.httpsAgent,
      proxy: false, // proxying is the agents' job (src/net transport); axios must not read the environment
      signal: request.signal,
    });
    const header = (name: string): string | undefined => {
      const value: unknown = response.headers[name.toLowerCase()];
      return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
    };
    if (!REDIRECTS.has(response.status)) return { status: response.status, url, header, body: response.data };
    response.data.destroy();
    const location = header('location');
    if (location === undefined) throw new DownloadHttpError({ status: response.status, url, reason: 'redirect without Location' });
    if (hop >= request.maxRedirects) throw new DownloadHttpError({ status: response.status, url, reason: `more than ${request.maxRedirects} redirects` });
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new DownloadHttpError({ status: response.status, url, reason: `redirect to unsupported scheme ${next.protocol}` });
    }
    url = next.href;
  }
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
