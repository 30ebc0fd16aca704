export { createTransport, type Transport, type TransportOptions } from './transport.js';
export { describeNetworkFailure, type NetworkFailure, type NetworkFailureKind } from './describe-failure.js';
export {
  ClientCertificateRefusedError,
  ConnectTimeoutError,
  isClientCertificateRefusedError,
  isConnectTimeoutError,
  isProxyConnectionError,
  isProxyTunnelError,
  isTransportConfigError,
  ProxyConnectionError,
  ProxyTunnelError,
  TransportConfigError,
} from './errors.js';
export { openRawConnection, type RawConnection } from './raw-connection.js';
export { parseRetryAfter } from './retry-after.js';
export { retryDelayMs, withRetry, type RetryOptions, type RetryPolicy } from './retry.js';
export { RETRY_POLICIES } from './retry-policies.js';
export { bypassesProxy, parseNoProxy, type NoProxyRule } from './no-proxy.js';
export { parseProxyUrl, proxyFor, resolveProxySettings, type Environment, type ProxyEndpoint, type ProxySettings } from './proxy-settings.js';
