import type { Readable } from 'node:stream';
import axios, { AxiosHeaders, type AxiosAdapter, type AxiosRequestConfig, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { Transport } from '../net/index.js';

export interface AxiosCall {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: string;
  /** Every header of the request, as sent. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON text of the body, if any. */
  readonly data?: string;
  readonly signal: AbortSignal;
}

/**
 * One DDI request through axios's own Node.js adapter (its `http` adapter: the agents, decompression,
 * the stream, its errors), with the request's config merged once here instead of at every call.
 *
 * `axios.request()` merges the instance's defaults into each request's config, flattens the header
 * buckets, runs the (interceptor) chain and the request and response transforms: about 40 % of the
 * DDI client's CPU for an idle poll (docs/performance.md › Agent), for a request that needs none of
 * it (no interceptors, the body already JSON text, the answer a stream). What the adapter receives is what that path would
 * give it: axios's defaults merged with ours (`axios.mergeConfig`), the method in lower case, absolute
 * URLs allowed, the headers as an `AxiosHeaders`.
 */
export class PreparedAxios {
  readonly #adapter: AxiosAdapter;
  readonly #template: InternalAxiosRequestConfig;

  constructor(transport: Pick<Transport, 'httpAgent' | 'httpsAgent'> | undefined) {
    this.#adapter = axios.getAdapter('http');
    const merged = axios.mergeConfig(axios.defaults as AxiosRequestConfig, {
      ...(transport ? { httpAgent: transport.httpAgent, httpsAgent: transport.httpsAgent } : {}),
      proxy: false, // the transport's agents do proxying; axios must not read the environment itself
      maxRedirects: 0, // never carry the Authorization header to another place
      responseType: 'stream',
      validateStatus: () => true,
      decompress: true,
      allowAbsoluteUrls: true,
      transformRequest: [],
      transformResponse: [],
    });
    // Axios's default header buckets (common, get, post, …) are replaced by each call's own headers.
    this.#template = Object.freeze({ ...merged, headers: undefined }) as unknown as InternalAxiosRequestConfig;
  }

  request(call: AxiosCall): Promise<AxiosResponse<Readable>> {
    const config = {
      ...this.#template,
      method: call.method.toLowerCase(),
      url: call.url,
      headers: headersOf(call),
      data: call.data,
      signal: call.signal,
    } as InternalAxiosRequestConfig;
    return this.#adapter(config) as Promise<AxiosResponse<Readable>>;
  }
}

function headersOf(call: AxiosCall): AxiosHeaders {
  const headers = new AxiosHeaders(call.headers);
  // What axios.request() does for a POST or PUT that names no type (e.g. one without a body): the same bytes on the wire.
  if (call.method !== 'GET') headers.setContentType('application/x-www-form-urlencoded', false);
  return headers;
}
