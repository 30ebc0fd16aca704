import type { ClientRequest, ClientRequestArgs } from 'node:http';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions, type RequestOptions } from 'node:https';
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { limitConnect } from './connect-timeout.js';
import { proxyFor, type ProxySettings } from './proxy-settings.js';
import { watchClientCertificateRefusal } from './tls-refusal.js';
import { openTunnel } from './tunnel.js';

type Callback = (err: Error | null, stream: Duplex) => void;

interface AgentSettings {
  readonly proxies: ProxySettings;
  readonly connectTimeoutMs: number;
}

function targetOf(options: ClientRequestArgs, defaultPort: number): { host: string; port: number } {
  const host = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[|\]$/g, '');
  const port = options.port === undefined || options.port === null || options.port === '' ? defaultPort : Number(options.port);
  return { host, port };
}

/**
 * Keep-alive agent for http:// targets. Through a proxy, requests use the absolute-form request target
 * (`GET http://host/path`) on a connection to the proxy, with Proxy-Authorization when configured.
 */
export class ProxyAwareHttpAgent extends HttpAgent {
  readonly #settings: AgentSettings;

  constructor(settings: AgentSettings) {
    super({ keepAlive: true });
    this.#settings = settings;
  }

  /** Node calls this for every request before its head is written, so path and headers can still change. */
  addRequest(req: ClientRequest, options: ClientRequestArgs): void {
    const { host, port } = targetOf(options, 80);
    const proxy = proxyFor(this.#settings.proxies, 'http:', host, port);
    if (proxy !== undefined) {
      const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      if (!/^[a-z]+:\/\//i.test(req.path)) req.path = `http://${authority}${req.path}`;
      if (proxy.authorization !== undefined) req.setHeader('proxy-authorization', proxy.authorization);
    }
    (HttpAgent.prototype as unknown as { addRequest(r: ClientRequest, o: ClientRequestArgs): void }).addRequest.call(this, req, options);
  }

  override createConnection(options: ClientRequestArgs, _callback?: Callback): Duplex {
    const { host, port } = targetOf(options, 80);
    const proxy = proxyFor(this.#settings.proxies, 'http:', host, port);
    const socket = proxy === undefined
      ? netConnect({ host, port, localAddress: options.localAddress, family: options.family })
      : netConnect({ host: proxy.host, port: proxy.port });
    limitConnect(socket, 'connect', proxy === undefined ? `${host}:${port}` : `proxy ${proxy.display}`, this.#settings.connectTimeoutMs);
    return socket;
  }
}

/** TLS options every https connection uses (extra CAs, client certificate, verification). */
export type TlsSettings = Pick<HttpsAgentOptions, 'ca' | 'key' | 'cert' | 'rejectUnauthorized'>;

/**
 * Keep-alive agent for https:// targets. Through a proxy it opens a CONNECT tunnel and runs TLS to the
 * target inside it (the proxy never sees the plaintext or the Authorization header).
 */
export class ProxyAwareHttpsAgent extends HttpsAgent {
  readonly #settings: AgentSettings;
  readonly #tls: TlsSettings;

  constructor(settings: AgentSettings, tls: TlsSettings) {
    super({ keepAlive: true, ...tls });
    this.#settings = settings;
    this.#tls = tls;
  }

  override createConnection(options: RequestOptions, callback?: Callback): Duplex | null | undefined {
    const { host, port } = targetOf(options, 443);
    const proxy = proxyFor(this.#settings.proxies, 'https:', host, port);
    const timeoutMs = this.#settings.connectTimeoutMs;
    const presentsCertificate = this.#tls.cert !== undefined;
    if (proxy === undefined) {
      const socket = super.createConnection(options);
      if (socket) limitConnect(socket, 'secureConnect', `${host}:${port}`, timeoutMs);
      if (socket && presentsCertificate) watchClientCertificateRefusal(socket, `${host}:${port}`);
      return socket;
    }
    const started = Date.now();
    openTunnel(proxy, host, port, timeoutMs).then(
      (raw) => {
        const servername = typeof options.servername === 'string' ? options.servername : isIp(host) ? undefined : host;
        const socket = tlsConnect({ ...this.#tls, socket: raw, servername, host });
        const left = timeoutMs > 0 ? Math.max(1, timeoutMs - (Date.now() - started)) : 0;
        limitConnect(socket, 'secureConnect', `${host}:${port} via proxy ${proxy.display}`, left);
        if (presentsCertificate) watchClientCertificateRefusal(socket, `${host}:${port}`);
        callback?.(null, socket);
      },
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
