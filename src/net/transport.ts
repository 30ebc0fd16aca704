import { readFileSync } from 'node:fs';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { errorMessage } from '../lib/errors.js';
import { EngineKeyError, engineKeyContext } from '../lib/openssl-engine.js';
import { DirectHttpAgent, DirectHttpsAgent, type TlsSettings } from './direct-agents.js';
import { TransportConfigError } from './errors.js';
import { bypassesProxy } from './no-proxy.js';
import { ForwardAgent, TunnelAgent } from './proxy-agents.js';
import { resolveProxySettings, type Environment, type ProxySettings } from './proxy-settings.js';
import { RoutingAgent } from './routing-agent.js';

/**
 * What the transport needs (all optional, so tests stay short), named as the config's own fields so the
 * composition can pass its config in; plus the environment.
 */
export interface TransportOptions {
  /** False: plain http, so no client certificate is presented. */
  readonly ssl?: boolean;
  /** False: the server's certificate is not checked. */
  readonly sslVerify?: boolean;
  /** A PEM file of CAs trusted in addition to the system's. */
  readonly caFile?: string | undefined;
  /** The client key (a PEM file, or a key id of `sslEngine`) and certificate for mTLS. */
  readonly sslKey?: string | undefined;
  readonly sslCert?: string | undefined;
  /** The OpenSSL engine that holds `sslKey`. */
  readonly sslEngine?: string | undefined;
  /** The `proxy` key: wins over the environment's proxies. */
  readonly proxy?: string | undefined;
  readonly connectTimeoutMs?: number;
  /** Where HTTP(S)_PROXY and NO_PROXY are read from; default `process.env`. */
  readonly env?: Environment;
}

/**
 * The shared connection layer for the DDI client and the downloader: keep-alive agents that apply the
 * TLS settings, the proxy (http or https proxy; a CONNECT tunnel for https targets) and the connect timeout. Usable with axios
 * (`httpAgent`/`httpsAgent`, `proxy: false`) and with plain `http.request`/`https.request` (`agent`).
 */
export interface Transport {
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;
  /** True when a client certificate is presented (mTLS). */
  readonly clientCertificate: boolean;
  /** One line for the log: verification, CA file, client certificate, proxies. Never a secret. */
  describe(): string;
  /** Closes idle kept-alive sockets (call on shutdown and in tests). */
  destroy(): void;
}

export function createTransport(options: TransportOptions = {}): Transport {
  const useClientCert = options.ssl !== false && options.sslKey !== undefined && options.sslCert !== undefined;
  const ca = options.caFile === undefined ? undefined : [...rootCertificates, readPem(options.caFile, 'ca_file')];
  const tls: TlsSettings = {
    rejectUnauthorized: options.sslVerify !== false,
    ...(ca === undefined ? {} : { ca }),
    ...(useClientCert ? clientKey(options.sslKey!, readPem(options.sslCert!, 'ssl_cert'), options.sslEngine, ca) : {}),
  };
  const proxies = resolveProxySettings(options.proxy, options.env ?? process.env);
  const connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
  const bypasses = (host: string, port: number) => bypassesProxy(proxies.noProxy, host, port);
  const httpsAgent = new RoutingAgent(
    443,
    new DirectHttpsAgent(tls, connectTimeoutMs),
    proxies.https === undefined ? undefined : new TunnelAgent({ proxy: proxies.https, connectTimeoutMs }, tls),
    bypasses,
  );
  const httpAgent = new RoutingAgent(
    80,
    new DirectHttpAgent(connectTimeoutMs),
    proxies.http === undefined ? undefined : new ForwardAgent({ proxy: proxies.http, connectTimeoutMs }, tls),
    bypasses,
  );
  return {
    httpAgent,
    httpsAgent,
    clientCertificate: useClientCert,
    describe: () => describeTransport(options, useClientCert, proxies),
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/**
 * A PEM key file, or (with ssl_engine) a key loaded once through the OpenSSL engine into a shared TLS
 * context: a bad key id or PIN fails here, at start, not on the first connection.
 */
function clientKey(key: string, cert: string, engine: string | undefined, ca: string[] | undefined): Partial<TlsSettings> {
  if (engine === undefined) return { key: readPem(key, 'ssl_key'), cert };
  try {
    return { cert, secureContext: engineKeyContext({ engine, identifier: key, cert, ...(ca ? { ca } : {}) }) };
  } catch (error) {
    if (error instanceof EngineKeyError) throw new TransportConfigError(error.key, error.message, { cause: error });
    throw error;
  }
}

function readPem(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TransportConfigError(key, `cannot read '${key}' ${path}: ${errorMessage(error)}`, { cause: error });
  }
}

function describeTransport(options: TransportOptions, clientCert: boolean, proxies: ProxySettings): string {
  const parts = [
    options.sslVerify === false ? 'certificate verification OFF (ssl_verify=false)' : 'certificates verified',
    options.caFile === undefined ? 'default CAs' : `default CAs + ${options.caFile}`,
    clientCert ? `client certificate ${options.sslCert}${options.sslEngine ? ` (key in OpenSSL engine ${options.sslEngine})` : ''}` : 'no client certificate',
    `https proxy ${proxies.https?.display ?? 'none'}`,
    `http proxy ${proxies.http?.display ?? 'none'}`,
  ];
  if (proxies.noProxy.length > 0) parts.push(`no proxy for ${proxies.noProxy.map((r) => (r.port === undefined ? r.host : `${r.host}:${r.port}`)).join(',')}`);
  parts.push(`connect timeout ${options.connectTimeoutMs === 0 ? 'none' : `${(options.connectTimeoutMs ?? 20_000) / 1000} s`}`);
  return parts.join('; ');
}
