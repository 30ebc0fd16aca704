import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import axios from 'axios';
import { streamBody, type ResponseBody } from './body-source.js';
import { DownloadHttpError } from './errors.js';
import { openSocketResponse } from './socket-response.js';

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
  readonly body: ResponseBody;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GETs `request.url` and follows redirects itself (bounded), so that the caller's headers are dropped
 * as soon as a hop leaves the first URL's origin (scheme, host and port). A hop the transport reaches
 * directly goes over a connection of its own that reads into a fixed buffer (src/download/socket-response.ts);
 * a hop through a proxy (or an agent that wraps another) goes through axios with that agent, as a stream.
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
    const response = await get(url, headers, request);
    if (!REDIRECTS.has(response.status)) return response;
    response.body.destroy();
    const header = response.header;
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

async function get(url: string, headers: Record<string, string>, request: OpenRequest): Promise<OpenedResponse> {
  const parsed = new URL(url);
  const agent = parsed.protocol === 'https:' ? request.httpsAgent : request.httpAgent;
  const direct = openSocketResponse({ url: parsed, headers, agent, signal: request.signal });
  if (direct !== undefined) {
    const { head, body } = await direct;
    return { status: head.status, url, header: (name) => head.headers.get(name.toLowerCase())?.[0], body };
  }
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
  return { status: response.status, url, header, body: streamBody(response.data) };
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
