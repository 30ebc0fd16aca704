import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';

/** A TLS or proxy setting that cannot be used (unreadable file, bad proxy URL, OpenSSL engine). */
export class TransportConfigError extends HawkbitRaucError {
  override readonly name = 'TransportConfigError';
  readonly code = 'TRANSPORT_CONFIG';

  /** The config key at fault, e.g. `ca_file`, `ssl_engine`, `HTTPS_PROXY`. */
  constructor(readonly key: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isTransportConfigError(value: unknown): value is TransportConfigError {
  return isErrorNamed(value, 'TransportConfigError');
}

/** The proxy refused: no CONNECT tunnel, or a 407 to a forwarded request (its status is kept; the credentials are not). */
export class ProxyTunnelError extends HawkbitRaucError {
  override readonly name = 'ProxyTunnelError';
  readonly code = 'PROXY_TUNNEL';

  constructor(readonly status: number | undefined, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isProxyTunnelError(value: unknown): value is ProxyTunnelError {
  return isErrorNamed(value, 'ProxyTunnelError');
}

/** The proxy could not be reached or dropped the connection before a tunnel or answer; `cause` says why. */
export class ProxyConnectionError extends HawkbitRaucError {
  override readonly name = 'ProxyConnectionError';
  readonly code = 'PROXY_CONNECTION';

  /** `proxy` is the proxy's display form (no credentials). */
  constructor(readonly proxy: string, target: string, reason: string, options?: { cause?: unknown }) {
    super(`proxy ${proxy} failed on the way to ${target}: ${reason}`, options);
  }
}

export function isProxyConnectionError(value: unknown): value is ProxyConnectionError {
  return isErrorNamed(value, 'ProxyConnectionError');
}

/** No connection (TCP, proxy tunnel and TLS handshake) within `connect_timeout`. */
export class ConnectTimeoutError extends HawkbitRaucError {
  override readonly name = 'ConnectTimeoutError';
  readonly code = 'CONNECT_TIMEOUT';

  constructor(readonly target: string, readonly timeoutMs: number) {
    super(`no connection to ${target} within ${timeoutMs / 1000} s (connect_timeout)`);
  }
}

export function isConnectTimeoutError(value: unknown): value is ConnectTimeoutError {
  return isErrorNamed(value, 'ConnectTimeoutError');
}

/** The server closed the connection right after the TLS handshake, before answering, while we presented a client certificate. */
export class ClientCertificateRefusedError extends HawkbitRaucError {
  override readonly name = 'ClientCertificateRefusedError';
  readonly code = 'TLS_CLIENT_CERT_REFUSED';

  constructor(readonly target: string) {
    super(
      `${target} closed the connection right after the TLS handshake, before answering: it most likely refused the client certificate; ` +
        'check ssl_key/ssl_cert (signed by a CA the server trusts, not expired)',
    );
  }
}

export function isClientCertificateRefusedError(value: unknown): value is ClientCertificateRefusedError {
  return isErrorNamed(value, 'ClientCertificateRefusedError');
}
