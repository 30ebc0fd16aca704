import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from 'node:http';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { parseRetryAfter } from '../net/index.js';

/** What a request is to the server: a poll or other read, an artifact download, or a write (feedback, attributes). */
export type Lane = 'read' | 'download' | 'write';

export interface LaneLimits {
  /** Requests of the lane under way at once (Infinity: unbounded). */
  readonly concurrency: number;
  /** Requests of the lane started per second (Infinity: unbounded). */
  readonly perSecond: number;
}

/** One answer the server gave, for the fleet's counters. */
export interface GateEvent {
  readonly lane: Lane;
  readonly method: string;
  readonly path: string;
  /** The controller id in the DDI path, if any. */
  readonly device: string | undefined;
  readonly status: number;
}

export interface LaneSnapshot {
  readonly running: number;
  readonly queued: number;
  readonly started: number;
  /** 429 answers in this lane. */
  readonly throttled: number;
  /** Until when the lane waits because of a 429 (epoch ms; 0: not waiting). */
  readonly pausedUntil: number;
}

const CONTROLLER = /\/controller\/v1\/([^/?]+)/;
/** A 429 without Retry-After pauses the lane this long. */
const DEFAULT_PAUSE_MS = 1000;

/** The lane of a request: the method and the DDI path decide. */
export function laneOf(method: string, path: string): Lane {
  if (method !== 'GET' && method !== 'HEAD') return 'write';
  return /\/artifacts\/|\/download(\/|$|\?)/.test(path) ? 'download' : 'read';
}

class LaneGate {
  running = 0;
  started = 0;
  throttled = 0;
  pausedUntil = 0;
  readonly #queue: { start: () => void; req: ClientRequest }[] = [];
  #lastStart = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly limits: LaneLimits) {}

  get queued(): number {
    return this.#queue.length;
  }

  /** Resolves once the request may go; a request closed while it waits is dropped from the queue. */
  enter(req: ClientRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = { start: () => resolve(), req };
      this.#queue.push(entry);
      req.once('close', () => {
        const index = this.#queue.indexOf(entry);
        if (index >= 0) {
          this.#queue.splice(index, 1);
          reject(new Error('request closed while waiting for its turn'));
        }
      });
      this.#pump();
    });
  }

  leave(): void {
    this.running--;
    this.#pump();
  }

  pause(ms: number): void {
    this.throttled++;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    this.#pump();
  }

  #pump(): void {
    if (this.#timer) return;
    const spacing = Number.isFinite(this.limits.perSecond) ? 1000 / this.limits.perSecond : 0;
    while (this.#queue.length > 0 && this.running < this.limits.concurrency) {
      const now = Date.now();
      const wait = Math.max(this.pausedUntil - now, this.#lastStart + spacing - now);
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, wait);
        return;
      }
      this.#lastStart = now;
      this.running++;
      this.started++;
      this.#queue.shift()!.start();
    }
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * An HTTP(S) agent the virtual devices share: every request waits in its lane for a free place (bounded
 * concurrency) and its turn (a rate per second), then goes out through `inner` (the transport's agent,
 * with its TLS, proxy and keep-alive pool). A 429 pauses the whole lane for the server's Retry-After:
 * the devices share one address, and hawkBit's DoS filter counts per address. The DDI client and the
 * downloader retry the refused request themselves, honouring the same Retry-After.
 */
export class RequestGate {
  readonly #lanes: Record<Lane, LaneGate>;
  readonly #onEvent: (event: GateEvent) => void;

  constructor(limits: Record<Lane, LaneLimits>, onEvent: (event: GateEvent) => void = () => undefined) {
    this.#lanes = { read: new LaneGate(limits.read), download: new LaneGate(limits.download), write: new LaneGate(limits.write) };
    this.#onEvent = onEvent;
  }

  /** An agent for one scheme that gates every request and then hands it to `inner`. */
  agent(inner: HttpAgent, defaultPort: number): HttpAgent {
    return new GatedAgent(this, inner, defaultPort);
  }

  snapshot(): Record<Lane, LaneSnapshot> {
    const of = (lane: LaneGate): LaneSnapshot => ({ running: lane.running, queued: lane.queued, started: lane.started, throttled: lane.throttled, pausedUntil: lane.pausedUntil });
    return { read: of(this.#lanes.read), download: of(this.#lanes.download), write: of(this.#lanes.write) };
  }

  close(): void {
    for (const lane of Object.values(this.#lanes)) lane.close();
  }

  /** Waits for the request's turn; the place is given back when the request (and its answer) is over. */
  async admit(req: ClientRequest): Promise<void> {
    const method = req.method;
    const path = req.path;
    const lane = laneOf(method, path);
    const gate = this.#lanes[lane];
    await gate.enter(req);
    req.once('close', () => gate.leave());
    req.once('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status === 429) gate.pause(parseRetryAfter(headerValue(response.headers['retry-after'])) ?? DEFAULT_PAUSE_MS);
      this.#onEvent({ lane, method, path, device: deviceOf(path), status });
    });
  }
}

class GatedAgent extends Agent {
  constructor(
    private readonly gate: RequestGate,
    private readonly inner: HttpAgent,
    defaultPort: number,
  ) {
    super({ keepAlive: true });
    this.defaultPort = defaultPort;
    // Known per scheme: agent-base would otherwise find it from a stack trace at every request (9 % of an idle fleet's CPU).
    this.protocol = defaultPort === 443 ? 'https:' : 'http:';
  }

  override async connect(req: ClientRequest, _options: AgentConnectOpts): Promise<HttpAgent> {
    await this.gate.admit(req);
    return this.inner;
  }
}

function deviceOf(path: string): string | undefined {
  const match = CONTROLLER.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1];
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
