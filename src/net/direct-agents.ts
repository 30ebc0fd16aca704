import type { ClientRequestArgs } from 'node:http';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions, type RequestOptions } from 'node:https';
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { limitConnect } from './connect-timeout.js';
import { watchClientCertificateRefusal } from './tls-refusal.js';

/**
 * TLS options every https connection to the server uses (extra CAs, client key and certificate,
 * verification). With an engine key, `secureContext` holds key, certificate and CAs (`cert` stays, as a marker).
 */
export type TlsSettings = Pick<HttpsAgentOptions, 'ca' | 'key' | 'cert' | 'rejectUnauthorized' | 'secureContext'>;

/** Host, port and `host:port` (IPv6 bracketed) of a request's target. */
export function targetOf(options: ClientRequestArgs, defaultPort: number): { host: string; port: number; label: string } {
  const host = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[|\]$/g, '');
  const port = options.port === undefined || options.port === null || options.port === '' ? defaultPort : Number(options.port);
  return { host, port, label: `${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/** Keep-alive agent for http:// targets reached directly, with the connect timeout. */
export class DirectHttpAgent extends HttpAgent {
  readonly #connectTimeoutMs: number;

  constructor(connectTimeoutMs: number) {
    super({ keepAlive: true });
    this.#connectTimeoutMs = connectTimeoutMs;
  }

  override createConnection(options: ClientRequestArgs): Duplex {
    const { host, port, label } = targetOf(options, 80);
    const socket = netConnect({ host, port, localAddress: options.localAddress, family: options.family });
    limitConnect(socket, 'connect', label, this.#connectTimeoutMs);
    return socket;
  }
}

/** Keep-alive agent for https:// targets reached directly: TLS settings, connect timeout, client-certificate refusal. */
export class DirectHttpsAgent extends HttpsAgent {
  readonly #connectTimeoutMs: number;
  readonly #presentsCertificate: boolean;

  constructor(tls: TlsSettings, connectTimeoutMs: number) {
    super({ keepAlive: true, ...tls });
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#presentsCertificate = tls.cert !== undefined;
  }

  override createConnection(options: RequestOptions): Duplex | null | undefined {
    const socket = super.createConnection(options);
    const target = targetOf(options, 443).label;
    if (socket) limitConnect(socket, 'secureConnect', target, this.#connectTimeoutMs);
    if (socket && this.#presentsCertificate) watchClientCertificateRefusal(socket, target);
    return socket;
  }
}
