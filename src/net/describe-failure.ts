import { isErrorNamed, systemErrorCode } from '../lib/errors.js';

export type NetworkFailureKind = 'dns' | 'refused' | 'reset' | 'timeout' | 'tls' | 'proxy' | 'other';

export interface NetworkFailure {
  readonly kind: NetworkFailureKind;
  /** Low-level code (ENOTFOUND, SELF_SIGNED_CERT_IN_CHAIN, …) when there is one. */
  readonly code: string | undefined;
  /** What went wrong and what to check, for a log line. Names no secret. */
  readonly message: string;
}

const TLS_HINTS: Readonly<Record<string, string>> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain; set ca_file to the CA that signed the server certificate, or ssl_verify=false for testing',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed; set ca_file to it, or ssl_verify=false for testing',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'cannot verify the server certificate (unknown issuer); set ca_file to the issuing CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server certificate was issued by an unknown CA; set ca_file to that CA',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer of the server certificate is unknown; set ca_file to that CA',
  CERT_HAS_EXPIRED: 'the server certificate has expired (or the device clock is wrong)',
  CERT_NOT_YET_VALID: 'the server certificate is not yet valid (is the device clock right?)',
  ERR_TLS_CERT_ALTNAME_INVALID:
    'the server certificate does not name this host; set hawkbit_server to a name the certificate holds, or ssl_verify=false for testing',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed (is the server speaking plain http? check ssl)',
  EPROTO: 'TLS handshake failed',
  // Alerts the server sends about our client certificate (mTLS).
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the server requires a client certificate; set ssl_key and ssl_cert',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'TLS handshake refused by the server (does it require a client certificate? set ssl_key and ssl_cert)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the server refused the client certificate; check ssl_key/ssl_cert (signed by a CA the server trusts?)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'the server refused the client certificate; check ssl_key/ssl_cert (signed by a CA the server trusts?)',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the server refused the client certificate: it does not know its CA; check ssl_cert',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'the server refused the client certificate: expired (or the device clock is wrong); renew ssl_cert',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: 'the server refused the client certificate: revoked; replace ssl_key/ssl_cert',
};


const KINDS: Readonly<Record<string, [NetworkFailureKind, string]>> = {
  ENOTFOUND: ['dns', 'host name not found (DNS)'],
  EAI_AGAIN: ['dns', 'DNS lookup failed temporarily'],
  ECONNREFUSED: ['refused', 'connection refused (nothing listening on that port?)'],
  ECONNRESET: ['reset', 'connection reset by the peer'],
  EPIPE: ['reset', 'connection closed by the peer'],
  ECONNABORTED: ['timeout', 'request timed out'],
  ETIMEDOUT: ['timeout', 'connection timed out'],
  EHOSTUNREACH: ['refused', 'host unreachable'],
  ENETUNREACH: ['refused', 'network unreachable'],
  CONNECT_TIMEOUT: ['timeout', 'connection not established in time (connect_timeout)'],
  PROXY_TUNNEL: ['proxy', 'proxy refused the tunnel'],
};

/**
 * Classifies a failure of a request (axios error, Node system or TLS error, our transport errors) by
 * walking its `cause` chain. Returns undefined when nothing in it is a network failure.
 */
export function describeNetworkFailure(error: unknown): NetworkFailure | undefined {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 6; depth++) {
    const code = systemErrorCode(current);
    if (isErrorNamed(current, 'ClientCertificateRefusedError')) return { kind: 'tls', code, message: messageOf(current) };
    if (isErrorNamed(current, 'ProxyConnectionError')) {
      // The proxy's own failure (refused, reset, TLS with an https proxy …) decides the kind; the message names the proxy.
      const inner = describeNetworkFailure(current.cause);
      return { kind: inner?.kind ?? 'proxy', code: inner?.code ?? code, message: messageOf(current) };
    }
    if (code !== undefined) {
      const tls = TLS_HINTS[code];
      if (tls !== undefined) return { kind: 'tls', code, message: code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `${tls} (${messageOf(current)})` : tls };
      if (/^ERR_SSL_|^ERR_TLS_|CERT/.test(code)) return { kind: 'tls', code, message: `TLS failure ${code}: ${messageOf(current)}` };
      const known = KINDS[code];
      if (known !== undefined) {
        // Our own errors carry a precise message (which proxy, which timeout): keep it.
        const precise = isErrorNamed(current, 'ConnectTimeoutError') || isErrorNamed(current, 'ProxyTunnelError');
        return { kind: known[0], code, message: precise ? messageOf(current) : known[1] };
      }
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

function messageOf(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}
