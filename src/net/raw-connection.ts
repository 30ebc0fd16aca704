import type { Agent as HttpAgent } from 'node:http';
import { globalAgent as httpGlobalAgent } from 'node:http';
import { Agent as HttpsAgent, globalAgent as httpsGlobalAgent } from 'node:https';
import { connect as netConnect, type OnReadOpts } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Agent as AgentBase } from 'agent-base';
import { DirectHttpAgent, DirectHttpsAgent, targetOf, tlsConnectReading, type RawConnection } from './direct-agents.js';
import { RoutingAgent } from './routing-agent.js';

export type { RawConnection } from './direct-agents.js';

/**
 * Opens a TCP or TLS connection to `url`'s host that reads into `onread`'s fixed buffer, with the
 * settings of the agent the HTTP clients would use for it (the transport's TLS settings and connect
 * timeout, or a plain Node agent's options). Undefined when that agent does not connect directly —
 * a proxy (forward or CONNECT tunnel) or an agent that wraps another: the caller then keeps to an HTTP
 * client with that agent.
 */
export function openRawConnection(agent: HttpAgent | undefined, url: URL, onread: OnReadOpts): RawConnection | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const secure = url.protocol === 'https:';
  const { host, port } = targetOf({ hostname: url.hostname, port: url.port }, secure ? 443 : 80);
  let chosen: HttpAgent = agent ?? (secure ? httpsGlobalAgent : httpGlobalAgent);
  if (chosen instanceof RoutingAgent) chosen = chosen.route(host, port);
  if (secure && chosen instanceof DirectHttpsAgent) return chosen.openRaw(host, port, onread);
  if (!secure && chosen instanceof DirectHttpAgent) return chosen.openRaw(host, port, onread);
  if (chosen instanceof AgentBase) return undefined;
  const target = targetOf({ host, port }, port).label;
  if (!secure) return { socket: netConnect({ host, port, onread }), readyEvent: 'connect', presentsCertificate: false, target };
  if (!(chosen instanceof HttpsAgent)) return undefined;
  // A plain https.Agent: its own options are its TLS settings (as its createSocket() merges them).
  const options = (chosen as HttpsAgent & { options: ConnectionOptions }).options;
  const socket = tlsConnectReading({ ...options, host, port }, onread);
  return { socket, readyEvent: 'secureConnect', presentsCertificate: options.cert !== undefined, target };
}
