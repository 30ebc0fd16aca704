import { request, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ConnectTimeoutError, ProxyTunnelError } from './errors.js';
import type { ProxyEndpoint } from './proxy-settings.js';

/**
 * Opens a CONNECT tunnel through an http proxy to `host:port` and resolves with the raw socket.
 * Proxy basic auth comes from the proxy URL; it goes into the request header and nowhere else.
 */
export function openTunnel(proxy: ProxyEndpoint, host: string, port: number, timeoutMs: number): Promise<Socket> {
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: authority };
    if (proxy.authorization !== undefined) headers['proxy-authorization'] = proxy.authorization;
    const req = request({ host: proxy.host, port: proxy.port, method: 'CONNECT', path: authority, headers, agent: false });
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs > 0) {
      timer = setTimeout(() => req.destroy(new ConnectTimeoutError(`${authority} via proxy ${proxy.display}`, timeoutMs)), timeoutMs);
      timer.unref();
    }
    req.once('connect', (res, socket) => {
      clearTimeout(timer);
      res.resume();
      if (res.statusCode === 200) {
        resolve(socket);
        return;
      }
      socket.destroy();
      const status = res.statusCode;
      const reason = status === undefined ? 'no status' : `${status} ${STATUS_CODES[status] ?? ''}`.trim();
      const hint = status === 407 ? ' (check the user and password in the proxy URL)' : '';
      reject(new ProxyTunnelError(status, `proxy ${proxy.display} refused to open a tunnel to ${authority}: ${reason}${hint}`));
    });
    req.once('response', (res) => {
      // A proxy that answers CONNECT with a normal response did not understand it.
      clearTimeout(timer);
      res.resume();
      reject(new ProxyTunnelError(res.statusCode, `proxy ${proxy.display} did not accept CONNECT to ${authority} (status ${res.statusCode})`));
    });
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}
