import { HTTP_PROXY_VARIABLES, HTTPS_PROXY_VARIABLES, withProxyScheme } from '../lib/proxy-url.js';
import { TransportConfigError } from './errors.js';
import { bypassesProxy, parseNoProxy, type NoProxyRule } from './no-proxy.js';

/** A parsed http or https proxy. Its credentials stay in `url`; only `display` may be shown. */
export interface ProxyEndpoint {
  /** Scheme, host, port and user info (the proxy agents send the user info as Proxy-Authorization). */
  readonly url: URL;
  /** The URL without user info, safe to log, e.g. `http://proxy:3128 (with credentials)`. */
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
 * The `proxy` config key wins for both schemes; otherwise, as libcurl (and so rauc-hawkbit-updater)
 * reads them: https_proxy/HTTPS_PROXY for https, http_proxy/HTTP_PROXY for http, all_proxy/ALL_PROXY
 * for both (lower case first). NO_PROXY/no_proxy applies to all of them, the `proxy` key included.
 */
export function resolveProxySettings(configured: string | undefined, env: Environment): ProxySettings {
  const pick = (...names: string[]) => {
    const name = names.find((candidate) => (env[candidate] ?? '').trim() !== '');
    return name === undefined ? undefined : parseProxyUrl(env[name]!, name);
  };
  const noProxy = parseNoProxy(env.no_proxy?.trim() ? env.no_proxy : env.NO_PROXY);
  if (configured !== undefined) {
    const endpoint = parseProxyUrl(configured, 'proxy');
    return { http: endpoint, https: endpoint, noProxy };
  }
  return {
    https: pick(...HTTPS_PROXY_VARIABLES),
    http: pick(...HTTP_PROXY_VARIABLES),
    noProxy,
  };
}

/** The proxy a request to `hostname:port` goes through, or undefined for a direct connection. */
export function proxyFor(settings: ProxySettings, protocol: 'http:' | 'https:', hostname: string, port: number): ProxyEndpoint | undefined {
  const endpoint = protocol === 'https:' ? settings.https : settings.http;
  if (endpoint === undefined || bypassesProxy(settings.noProxy, hostname, port)) return undefined;
  return endpoint;
}

/**
 * Parses `[http://|https://][user:password@]host[:port]`. Without a scheme it is http://; without a
 * port 1080 for http:// and 443 for https://, as libcurl does. The error never repeats the URL (it may
 * hold a password).
 */
export function parseProxyUrl(value: string, key: string): ProxyEndpoint {
  const text = withProxyScheme(value);
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new TransportConfigError(key, `'${key}' is not a valid proxy URL (expected http[s]://[user:password@]host:port)`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TransportConfigError(key, `'${key}' uses ${url.protocol}//: only http:// and https:// proxies are supported`);
  }
  // WHATWG URL forgets a port equal to the scheme's default (80, 443); a non-special scheme keeps it.
  const written = new URL(text.replace(/^[a-z]+:/i, 'proxy:')).port;
  const port = written !== '' ? Number(written) : url.protocol === 'https:' ? 443 : 1080;
  if (written === '') url.port = String(port);
  const credentials = url.username !== '' || url.password !== '';
  const display = `${url.protocol}//${url.host.replace(/:\d+$/, '')}:${port}${credentials ? ' (with credentials)' : ''}`;
  return { url, display };
}
