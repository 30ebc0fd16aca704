import { TransportConfigError } from './errors.js';
import { bypassesProxy, parseNoProxy, type NoProxyRule } from './no-proxy.js';

/** A parsed http proxy. The credentials only ever go into the Proxy-Authorization header. */
export interface ProxyEndpoint {
  readonly host: string;
  readonly port: number;
  /** `Basic …` value for Proxy-Authorization, when the URL had user info. */
  readonly authorization: string | undefined;
  /** The URL without user info, safe to log. */
  readonly display: string;
}

/** Which proxy to use for http and for https targets, and which hosts go direct. */
export interface ProxySettings {
  readonly http: ProxyEndpoint | undefined;
  readonly https: ProxyEndpoint | undefined;
  readonly noProxy: readonly NoProxyRule[];
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The `proxy` config key wins for both schemes; otherwise HTTPS_PROXY/https_proxy for https and
 * HTTP_PROXY/http_proxy for http (lower case first, as curl does). NO_PROXY/no_proxy applies to both.
 */
export function resolveProxySettings(configured: string | undefined, env: Environment): ProxySettings {
  const pick = (...names: string[]) => names.map((name) => env[name]).find((value) => value !== undefined && value.trim() !== '');
  const noProxy = parseNoProxy(pick('no_proxy', 'NO_PROXY'));
  if (configured !== undefined) {
    const endpoint = parseProxyUrl(configured, 'proxy');
    return { http: endpoint, https: endpoint, noProxy };
  }
  const https = pick('https_proxy', 'HTTPS_PROXY');
  const http = pick('http_proxy', 'HTTP_PROXY');
  return {
    https: https === undefined ? undefined : parseProxyUrl(https, env.https_proxy === https ? 'https_proxy' : 'HTTPS_PROXY'),
    http: http === undefined ? undefined : parseProxyUrl(http, env.http_proxy === http ? 'http_proxy' : 'HTTP_PROXY'),
    noProxy,
  };
}

/** The proxy a request to `url` goes through, or undefined for a direct connection. */
export function proxyFor(settings: ProxySettings, protocol: 'http:' | 'https:', hostname: string, port: number): ProxyEndpoint | undefined {
  const endpoint = protocol === 'https:' ? settings.https : settings.http;
  if (endpoint === undefined || bypassesProxy(settings.noProxy, hostname, port)) return undefined;
  return endpoint;
}

/** Parses `[http://][user:password@]host[:port]`; the error never repeats the URL (it may hold a password). */
export function parseProxyUrl(value: string, key: string): ProxyEndpoint {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim()) ? value.trim() : `http://${value.trim()}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new TransportConfigError(key, `'${key}' is not a valid proxy URL (expected http://[user:password@]host:port)`, { cause: error });
  }
  if (url.protocol !== 'http:') {
    throw new TransportConfigError(key, `'${key}' uses ${url.protocol}//: only http:// proxies are supported (https targets are tunnelled with CONNECT)`);
  }
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const authorization = user !== '' || password !== '' ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : undefined;
  const port = url.port === '' ? 80 : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const display = `http://${url.host}${authorization ? ' (with credentials)' : ''}`;
  return { host, port, authorization, display };
}
