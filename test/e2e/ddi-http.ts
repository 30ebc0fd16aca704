/**
 * Raw DDI calls for the end-to-end tests: plain HTTP with axios, no client of ours in between, so the
 * tests state what the real server sends and accepts. Links are followed as the server gives them.
 */
import axios from 'axios';
import type { AxiosInstance, AxiosResponse, RawAxiosRequestHeaders } from 'axios';
import { isJsonObject } from './hawkbit-mgmt-types.js';

export type DdiAuth = { readonly kind: 'TargetToken' | 'GatewayToken'; readonly token: string } | undefined;

export interface DdiResponse<T = unknown> {
  readonly status: number;
  readonly data: T;
  readonly headers: AxiosResponse['headers'];
}

export class RawDdi {
  readonly base: string;
  readonly #http: AxiosInstance;
  readonly #auth: DdiAuth;

  constructor(options: { url: string; controllerId: string; auth: DdiAuth; tenant?: string }) {
    this.base = `${options.url.replace(/\/+$/, '')}/${options.tenant ?? 'DEFAULT'}/controller/v1/${encodeURIComponent(options.controllerId)}`;
    this.#auth = options.auth;
    this.#http = axios.create({ timeout: 60_000, validateStatus: () => true });
  }

  #headers(extra: RawAxiosRequestHeaders = {}): RawAxiosRequestHeaders {
    const headers: RawAxiosRequestHeaders = { Accept: 'application/hal+json, application/json', ...extra };
    if (this.#auth !== undefined) headers.Authorization = `${this.#auth.kind} ${this.#auth.token}`;
    return headers;
  }

  /** GET of the base (no argument), a path below it (`configData`) or an absolute href from `_links`. */
  async get<T = unknown>(hrefOrPath = '', headers: RawAxiosRequestHeaders = {}): Promise<DdiResponse<T>> {
    const response = await this.#http.get<T>(this.#resolve(hrefOrPath), { headers: this.#headers(headers) });
    return { status: response.status, data: response.data, headers: response.headers };
  }

  /** GET of binary content (artifacts, MD5SUM files), accepting any type. */
  async download(href: string, headers: RawAxiosRequestHeaders = {}): Promise<DdiResponse<Buffer>> {
    const response = await this.#http.get<ArrayBuffer>(href, { headers: this.#headers({ Accept: '*/*', ...headers }), responseType: 'arraybuffer' });
    return { status: response.status, data: Buffer.from(response.data), headers: response.headers };
  }

  async post(hrefOrPath: string, body: unknown): Promise<DdiResponse> {
    const response = await this.#http.post(this.#resolve(hrefOrPath), body, { headers: this.#headers() });
    return { status: response.status, data: response.data, headers: response.headers };
  }

  async put(hrefOrPath: string, body: unknown): Promise<DdiResponse> {
    const response = await this.#http.put(this.#resolve(hrefOrPath), body, { headers: this.#headers() });
    return { status: response.status, data: response.data, headers: response.headers };
  }

  /** Polls the base and returns the hrefs of its `_links` by name (what the server offers now). */
  async links(): Promise<Record<string, string>> {
    const poll = await this.get();
    if (poll.status !== 200) throw new Error(`poll of ${this.base} answered ${poll.status}`);
    return linksOf(poll.data);
  }

  #resolve(hrefOrPath: string): string {
    if (/^https?:\/\//.test(hrefOrPath)) return hrefOrPath;
    return hrefOrPath === '' ? this.base : `${this.base}/${hrefOrPath}`;
  }
}

/** `{name: href}` of a HAL `_links` object; empty when there is none. */
export function linksOf(json: unknown): Record<string, string> {
  const links: Record<string, string> = {};
  const raw = isJsonObject(json) ? json._links : undefined;
  if (!isJsonObject(raw)) return links;
  for (const [name, link] of Object.entries(raw)) {
    if (isJsonObject(link) && typeof link.href === 'string') links[name] = link.href;
  }
  return links;
}

/** The numeric id at the end of an action link such as `…/deploymentBase/12?c=-123`. */
export function actionIdOf(href: string): number {
  const match = /\/(\d+)(?:\?[^/]*)?$/.exec(href);
  if (match?.[1] === undefined) throw new Error(`no action id in ${href}`);
  return Number(match[1]);
}

/**
 * A feedback body (deployment or cancel) as the DDI API defines it. `id` repeats the action id of the
 * URL: servers up to at least 0.3.0M7 answer 404 without it (or with another id); newer ones ignore it.
 */
export function feedback(
  actionId: number,
  execution: string,
  finished: 'success' | 'failure' | 'none',
  details: readonly string[] = [],
  extra: { progress?: { cnt: number; of?: number }; code?: number } = {},
): Record<string, unknown> {
  const result: Record<string, unknown> = { finished };
  if (extra.progress !== undefined) result.progress = extra.progress;
  const status: Record<string, unknown> = { execution, result, details };
  if (extra.code !== undefined) status.code = extra.code;
  return { id: String(actionId), status };
}
