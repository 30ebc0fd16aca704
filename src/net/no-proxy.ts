// Hand-written (40 lines) because proxy-from-env reads only process.env, has no NO_PROXY test for the
// `proxy` key, and matches `example.com` only exactly where libcurl (so rauc-hawkbit-updater) also matches subdomains.
/**
 * NO_PROXY matching as curl and most tools do it: a comma- or space-separated list of host names,
 * `.domain` / `domain` suffixes (both match the domain and its subdomains), IP addresses, `host:port`
 * entries that only match that port, and `*` for everything. Case-insensitive; IPv6 may be bracketed.
 */
export interface NoProxyRule {
  readonly host: string;
  /** Only this port matches; undefined = any port. */
  readonly port: number | undefined;
}

export function parseNoProxy(value: string | undefined): readonly NoProxyRule[] {
  if (value === undefined) return [];
  const rules: NoProxyRule[] = [];
  for (const raw of value.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    rules.push(parseEntry(entry));
  }
  return rules;
}

function parseEntry(entry: string): NoProxyRule {
  // [v6]:port, [v6], host:port, bare v6 (several colons), host
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] === undefined ? undefined : Number(bracketed[2]) };
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  if (withPort) return { host: withPort[1]!, port: Number(withPort[2]) };
  return { host: entry, port: undefined };
}

/** True when a request to `hostname:port` must bypass the proxy. */
export function bypassesProxy(rules: readonly NoProxyRule[], hostname: string, port: number): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return rules.some((rule) => {
    if (rule.port !== undefined && rule.port !== port) return false;
    if (rule.host === '*') return true;
    const domain = rule.host.replace(/^\*?\./, '').replace(/\.$/, '');
    return host === domain || host.endsWith(`.${domain}`);
  });
}
