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
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not name this host; check hawkbit_server',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed (is the server speaking plain http? check ssl)',
  EPROTO: 'TLS handshake failed',
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
    if (code !== undefined) {
      const tls = TLS_HINTS[code];
      if (tls !== undefined) return { kind: 'tls', code, message: tls };
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
