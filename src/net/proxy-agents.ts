import { STATUS_CODES, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { AgentConnectOpts } from 'agent-base';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { errorMessage } from '../lib/errors.js';
import { targetOf, type TlsSettings } from './direct-agents.js';
import { ConnectTimeoutError, ProxyConnectionError, ProxyTunnelError } from './errors.js';
import type { ProxyEndpoint } from './proxy-settings.js';
import { watchClientCertificateRefusal } from './tls-refusal.js';

/**
 * The proxy protocol is the libraries' (https-proxy-agent: CONNECT tunnel, http-proxy-agent:
 * absolute-form requests; both send the URL's user info as Proxy-Authorization). These subclasses add
 * what the service needs around them: the connect timeout over proxy connection, tunnel and TLS
 * handshake; errors that name the proxy (never its password); a refused CONNECT as an error instead of
 * the proxy's answer posing as the server's; the client-certificate refusal watch.
 */
interface ProxyAgentSettings {
  readonly proxy: ProxyEndpoint;
  readonly connectTimeoutMs: number;
}

/** Options for the connection to the proxy itself: an https proxy is verified with the default CAs plus ca_file. */
function proxyConnectOptions(tls: TlsSettings | undefined): { ca?: TlsSettings['ca']; rejectUnauthorized: true } {
  return tls?.ca === undefined ? { rejectUnauthorized: true } : { ca: tls.ca, rejectUnauthorized: true };
}

/** Runs the library's connect() with an AbortSignal on the socket to the proxy that fires at the connect timeout. */
function withConnectTimeout(
  agent: { connectOpts: object },
  settings: ProxyAgentSettings,
  target: string,
  start: () => Promise<Socket>,
): { pending: Promise<Socket>; timer: NodeJS.Timeout | undefined; signal: AbortSignal } {
  const controller = new AbortController();
  const { connectTimeoutMs } = settings;
  const timer = connectTimeoutMs > 0
    ? setTimeout(() => controller.abort(new ConnectTimeoutError(`${target} via proxy ${settings.proxy.display}`, connectTimeoutMs)), connectTimeoutMs)
    : undefined;
  timer?.unref();
  const base = agent.connectOpts;
  // The library opens its socket to the proxy synchronously inside connect(), from connectOpts.
  agent.connectOpts = { ...base, signal: controller.signal };
  try {
    return { pending: start(), timer, signal: controller.signal };
  } finally {
    agent.connectOpts = base;
  }
}

/** `407 Proxy Authentication Required (check …)`; tinyproxy answers 401 to wrong credentials. */
function refusalReason(status: number | undefined): string {
  if (status === undefined) return 'no status';
  const hint = status === 401 || status === 407 ? ' (check the user and password in the proxy URL)' : '';
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim() + hint;
}

function failure(settings: ProxyAgentSettings, target: string, signal: AbortSignal, error: unknown): Error {
  if (signal.aborted) return signal.reason as Error;
  return new ProxyConnectionError(settings.proxy.display, target, errorMessage(error), { cause: error });
}

/** https:// targets through an http or https proxy: a CONNECT tunnel, then TLS to the target inside it. */
export class TunnelAgent extends HttpsProxyAgent<string> {
  readonly #settings: ProxyAgentSettings;
  readonly #tls: TlsSettings;
  readonly #presentsCertificate: boolean;

  constructor(settings: ProxyAgentSettings, tls: TlsSettings) {
    super(settings.proxy.url, { keepAlive: true });
    this.#settings = settings;
    this.#tls = tls;
    this.#presentsCertificate = tls.cert !== undefined;
    // The proxy is verified on its own terms and never sees the client certificate.
    this.connectOpts = { ...this.connectOpts, ...proxyConnectOptions(tls) };
  }

  override async connect(req: ClientRequest, opts: AgentConnectOpts): Promise<Socket> {
    const target = targetOf(opts, 443).label;
    const { proxy } = this.#settings;
    let refusal: ProxyTunnelError | undefined;
    const onProxyConnect = (answer: { statusCode?: number }) => {
      const status = answer.statusCode;
      if (status === 200) return;
      refusal = new ProxyTunnelError(status, `proxy ${proxy.display} refused to open a tunnel to ${target}: ${refusalReason(status)}`);
    };
    req.once('proxyConnect', onProxyConnect);
    const { pending, timer, signal } = withConnectTimeout(this, this.#settings, target, () => super.connect(req, { ...opts, ...this.#tls }));
    let socket: Socket;
    try {
      socket = await pending;
    } catch (error) {
      clearTimeout(timer);
      throw failure(this.#settings, target, signal, error);
    } finally {
      req.off('proxyConnect', onProxyConnect);
    }
    if (refusal !== undefined) {
      // The library hands back the proxy's answer as if the server had sent it: never let it through.
      clearTimeout(timer);
      socket.destroy();
      throw refusal;
    }
    if (timer !== undefined) {
      // The rest of the connect timeout covers the TLS handshake with the target inside the tunnel.
      signal.addEventListener('abort', () => socket.destroy(signal.reason as Error), { once: true });
      socket.once('secureConnect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    }
    if (this.#presentsCertificate) watchClientCertificateRefusal(socket, target);
    return socket;
  }
}

/**
 * http:// targets through an http or https proxy: absolute-form requests on a connection to the proxy.
 * One connection per request: proxies such as tinyproxy close the client connection after each answer
 * without saying so, and a kept-alive socket would then fail the next request.
 */
export class ForwardAgent extends HttpProxyAgent<string> {
  readonly #settings: ProxyAgentSettings;

  constructor(settings: ProxyAgentSettings, tls: TlsSettings | undefined) {
    super(settings.proxy.url, { keepAlive: false, ...proxyConnectOptions(tls) });
    this.#settings = settings;
  }

  /** A 407 (or any answer asking for proxy credentials) is the proxy's, not the server's: an error naming the proxy. */
  override addRequest(req: Parameters<HttpProxyAgent<string>['addRequest']>[0], opts: AgentConnectOpts): void {
    const target = targetOf(opts, 80).label;
    req.prependOnceListener('response', (res: IncomingMessage) => {
      if (res.statusCode !== 407 && res.headers['proxy-authenticate'] === undefined) return;
      res.resume();
      // Destroyed before the client's own handler runs (axios then ignores the response).
      req.destroy(new ProxyTunnelError(res.statusCode, `proxy ${this.#settings.proxy.display} refused the request to ${target}: ${refusalReason(res.statusCode)}`));
    });
    super.addRequest(req, opts);
  }

  override async connect(req: Parameters<HttpProxyAgent<string>['connect']>[0], opts: AgentConnectOpts): Promise<Socket> {
    const target = targetOf(opts, 80).label;
    const { pending, timer, signal } = withConnectTimeout(this, this.#settings, target, () => super.connect(req, opts));
    try {
      return await pending;
    } catch (error) {
      throw failure(this.#settings, target, signal, error);
    } finally {
      clearTimeout(timer);
    }
  }
}
