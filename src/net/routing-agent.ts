import type { Agent as HttpAgent, ClientRequest } from 'node:http';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { targetOf } from './direct-agents.js';

/**
 * The agent the HTTP clients get for one scheme: per request it hands over to the direct agent or to
 * the proxy agent, as NO_PROXY decides for the target (agent-base lets connect() return another agent,
 * whose own keep-alive pool then serves the request).
 */
export class RoutingAgent extends Agent {
  readonly #choose: (host: string, port: number) => HttpAgent;
  readonly #agents: readonly HttpAgent[];

  constructor(defaultPort: number, direct: HttpAgent, viaProxy: HttpAgent | undefined, bypasses: (host: string, port: number) => boolean) {
    super({ keepAlive: true });
    this.#agents = viaProxy === undefined ? [direct] : [direct, viaProxy];
    this.#choose = (host, port) => (viaProxy === undefined || bypasses(host, port) ? direct : viaProxy);
    this.defaultPort = defaultPort;
    // Known per scheme: agent-base would otherwise find it from a stack trace at every request.
    this.protocol = defaultPort === 443 ? 'https:' : 'http:';
  }

  override connect(_req: ClientRequest, options: AgentConnectOpts): HttpAgent {
    const { host, port } = targetOf(options, this.defaultPort);
    return this.#choose(host, port);
  }

  /** The agent that serves `host:port`: the direct one, or the proxy's as NO_PROXY decides. */
  route(host: string, port: number): HttpAgent {
    return this.#choose(host, port);
  }

  override destroy(): void {
    for (const agent of this.#agents) agent.destroy();
    super.destroy();
  }
}
