import type { ClientRequestArgs } from 'node:http';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions, type RequestOptions } from 'node:https';
import { connect as netConnect, isIP, type OnReadOpts, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { limitConnect } from './connect-timeout.js';
import { watchClientCertificateRefusal } from './tls-refusal.js';

/**
 * TLS options every https connection to the server uses (extra CAs, client key and certificate,
 * verification). With an engine key, `secureContext` holds key, certificate and CAs (`cert` stays, as a marker).
 */
export type TlsSettings = Pick<HttpsAgentOptions, 'ca' | 'key' | 'cert' | 'rejectUnauthorized' | 'secureContext'>;

/** A connected (or connecting) socket that reads into a fixed buffer, and what its reader must know. */
export interface RawConnection {
  readonly socket: Socket;
  /** 'connect' for TCP, 'secureConnect' for TLS: the connection is up. */
  readonly readyEvent: 'connect' | 'secureConnect';
  /** A client certificate is presented (mTLS). */
  readonly presentsCertificate: boolean;
  /** `host:port`, for messages. */
  readonly target: string;
}

/**
 * tls.connect reading into `onread`'s buffer (Node honours `onread` for TLS too; @types/node does not
 * declare it), with SNI for a host name.
 */
export function tlsConnectReading(options: ConnectionOptions & { host: string }, onread: OnReadOpts): TLSSocket {
  const sni = isIP(options.host) === 0 ? { servername: options.host } : {};
  const withOnread: ConnectionOptions & { onread: OnReadOpts } = { ...options, ...sni, onread };
  return tlsConnect(withOnread);
}

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

  /** A connection for a reader of its own (no HTTP client): reads go into `onread`'s buffer. */
  openRaw(host: string, port: number, onread: OnReadOpts): RawConnection {
    const target = targetOf({ host, port }, 80).label;
    const socket = netConnect({ host, port, onread });
    limitConnect(socket, 'connect', target, this.#connectTimeoutMs);
    return { socket, readyEvent: 'connect', presentsCertificate: false, target };
  }
}

/** Keep-alive agent for https:// targets reached directly: TLS settings, connect timeout, client-certificate refusal. */
export class DirectHttpsAgent extends HttpsAgent {
  readonly #connectTimeoutMs: number;
  readonly #presentsCertificate: boolean;
  readonly #tls: TlsSettings;

  constructor(tls: TlsSettings, connectTimeoutMs: number) {
    super({ keepAlive: true, ...tls });
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#presentsCertificate = tls.cert !== undefined;
    this.#tls = tls;
  }

  /**
   * A TLS connection with this agent's settings for a reader of its own: reads go into `onread`'s
   * buffer (tls.connect honours it). It emits no 'data', so the reader itself reports a server that
   * ends the connection without a byte while a client certificate was presented.
   */
  openRaw(host: string, port: number, onread: OnReadOpts): RawConnection {
    const target = targetOf({ host, port }, 443).label;
    const socket = tlsConnectReading({ ...this.#tls, host, port }, onread);
    limitConnect(socket, 'secureConnect', target, this.#connectTimeoutMs);
    return { socket, readyEvent: 'secureConnect', presentsCertificate: this.#presentsCertificate, target };
  }

  override createConnection(options: RequestOptions): Duplex | null | undefined {
    const socket = super.createConnection(options);
    const target = targetOf(options, 443).label;
    if (socket) limitConnect(socket, 'secureConnect', target, this.#connectTimeoutMs);
    if (socket && this.#presentsCertificate) watchClientCertificateRefusal(socket, target);
    return socket;
  }
}
