/**
 * Proxy URL facts shared by the transport (which connects through the proxy) and the config's secret
 * list (which redacts its password): the variables libcurl reads, and how a URL without a scheme is read.
 */

/** The proxy variables, as libcurl reads them (lower case first): https, then http, then both. */
export const HTTPS_PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'] as const;
export const HTTP_PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'] as const;
/** Every one of them (their passwords are secrets too when `proxy` is not set). */
export const PROXY_VARIABLES: readonly string[] = [...new Set([...HTTPS_PROXY_VARIABLES, ...HTTP_PROXY_VARIABLES])];

/** `host:port` or `user:pw@host` without a scheme is an http:// proxy, as libcurl reads it. */
export function withProxyScheme(value: string): string {
  const trimmed = value.trim();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}
