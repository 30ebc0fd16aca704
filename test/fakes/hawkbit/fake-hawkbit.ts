import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { serveArtifact, type ServedDownload } from './artifacts.js';
import { FakeTarget, type Reply, type TargetHost } from './fake-target.js';
import { RandomFaults, type RandomFaultCounts, type RandomFaultOptions } from './random-faults.js';

export interface FakeHawkbitOptions {
  /** `config.polling.sleep` sent to every target; default `00:05:00`. */
  readonly pollingSleep?: string;
  /** Enables gateway token authentication with this tenant key. */
  readonly gatewayToken?: string;
  readonly tenant?: string;
  /** Status of quota errors: 403 (hawkBit ≤ 0.9) or 429 (0.10 on); default 429. */
  readonly quotaStatus?: 403 | 429;
  /** Intermediate status entries allowed per action (hawkBit: 1000; tests usually disable it). */
  readonly maxStatusEntries?: number;
  /** Called for every request as soon as it is recorded (before faults and the answer). */
  readonly onRequest?: (request: RecordedRequest) => void;
  /** Serve https with this key and certificate (PEM); `ca` + `requestCert` require a client certificate (mTLS). */
  readonly tls?: FakeTlsOptions;
  /** Listen on this port instead of one from the OS (for "the server comes up later" tests). */
  readonly port?: number;
}

export interface FakeTlsOptions {
  readonly key: string;
  readonly cert: string;
  /** CAs a client certificate must chain to. */
  readonly ca?: string;
  /** Require a client certificate signed by `ca`; handshakes without one fail. */
  readonly requestCert?: boolean;
  /** Accept a verified client certificate whose CN is the controller id as the credential (what hawkBit's mTLS reverse proxy does). */
  readonly certificateAuth?: boolean;
}

/** What happened below HTTP: TCP connections accepted, TLS handshakes completed and failed. */
export interface ConnectionCounts {
  tcp: number;
  tlsHandshakes: number;
  tlsFailures: number;
}

/** One request as the fake saw it. The Authorization value is not kept: only its scheme and whether it was accepted. */
export interface RecordedRequest {
  readonly method: string;
  /** Path with query string. */
  readonly path: string;
  readonly auth: 'TargetToken' | 'GatewayToken' | 'none' | 'other';
  readonly authAccepted: boolean;
  /** Request headers without `authorization` and `proxy-authorization`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body of POST/PUT (undefined when none or not JSON). */
  readonly body: unknown;
  /** When it arrived (ms since epoch, once its body was read). */
  readonly at: number;
}

interface Fault {
  remaining: number;
  readonly match: RegExp | undefined;
}

/**
 * An in-process hawkBit DDI server on 127.0.0.1 (random port) speaking the real server's JSON, for tests.
 * See README.md in this folder for the DSL.
 */
export class FakeHawkbit {
  readonly requests: RecordedRequest[] = [];
  /** Counted from the server's events, so a test can prove a client does not hammer it (retry storms). */
  readonly connections: ConnectionCounts = { tcp: 0, tlsHandshakes: 0, tlsFailures: 0 };
  /** Every artifact body served, with the server's own timeline of the bytes its socket accepted. */
  readonly downloads: ServedDownload[] = [];
  readonly tenant: string;
  readonly #targets = new Map<string, FakeTarget>();
  readonly #options: FakeHawkbitOptions;
  readonly #failures: (Fault & { status: number; retryAfter?: string; body?: unknown; headers?: Readonly<Record<string, string>> })[] = [];
  readonly #delays: (Fault & { ms: number })[] = [];
  readonly #downloadFaults: (Fault & { corrupt: boolean; interruptAfter?: number })[] = [];
  #server: Server | undefined;
  #random: RandomFaults | undefined;
  #pollingSleep: string;
  #ids = 0;

  private constructor(options: FakeHawkbitOptions) {
    this.#options = options;
    this.tenant = options.tenant ?? 'DEFAULT';
    this.#pollingSleep = options.pollingSleep ?? '00:05:00';
  }

  static async start(options: FakeHawkbitOptions = {}): Promise<FakeHawkbit> {
    const hb = new FakeHawkbit(options);
    const handler = (req: IncomingMessage, res: ServerResponse) => void hb.#dispatch(req, res);
    const { tls } = options;
    const server = tls
      ? createHttpsServer({ key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: tls.requestCert ?? false, rejectUnauthorized: tls.requestCert ?? false }, handler)
      : createServer(handler);
    server.on('connection', () => (hb.connections.tcp += 1));
    server.on('secureConnection', () => (hb.connections.tlsHandshakes += 1));
    server.on('tlsClientError', () => (hb.connections.tlsFailures += 1));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    hb.#server = server;
    return hb;
  }

  /** `host:port`, as `hawkbit_server` wants it. */
  get hostPort(): string {
    const address = this.#server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('fake hawkBit is not running');
    return `127.0.0.1:${address.port}`;
  }

  /** `http://host:port`, or `https://…` when started with `tls`. */
  get url(): string {
    return `${this.#options.tls ? 'https' : 'http'}://${this.hostPort}`;
  }

  addTarget(controllerId: string, options: { token?: string } = {}): FakeTarget {
    const host: TargetHost = {
      baseUrl: (id) => `${this.url}/${this.tenant}/controller/v1/${encodeURIComponent(id)}`,
      nextId: () => ++this.#ids,
      quotaStatus: this.#options.quotaStatus ?? 429,
      maxStatusEntries: this.#options.maxStatusEntries ?? Number.POSITIVE_INFINITY,
      pollingSleep: () => this.#pollingSleep,
    };
    const target = new FakeTarget(controllerId, options.token, host);
    this.#targets.set(controllerId, target);
    return target;
  }

  target(controllerId: string): FakeTarget | undefined {
    return this.#targets.get(controllerId);
  }

  setPollingSleep(sleep: string): void {
    this.#pollingSleep = sleep;
  }

  /** The next `count` requests (whose path matches `match`, if given) are answered with `status` (and `headers`, e.g. a `location`). */
  failNext(count: number, status: number, options: { retryAfter?: string | number; body?: unknown; match?: RegExp; headers?: Readonly<Record<string, string>> } = {}): void {
    this.#failures.push({
      remaining: count,
      status,
      match: options.match,
      body: options.body,
      ...(options.retryAfter === undefined ? {} : { retryAfter: String(options.retryAfter) }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    });
  }

  /** The next `count` (default 1) matching requests are answered `ms` later. */
  delayNext(ms: number, options: { count?: number; match?: RegExp } = {}): void {
    this.#delays.push({ remaining: options.count ?? 1, match: options.match, ms });
  }

  /** Random faults on every matching request from now on (undefined: off). Counts restart with each call. */
  setRandomFaults(options: RandomFaultOptions | undefined): void {
    this.#random = options ? new RandomFaults(options) : undefined;
  }

  /** How many requests the current random faults hit (zeros when off). */
  get randomFaultCounts(): Readonly<RandomFaultCounts> {
    return { ...(this.#random?.counts ?? { resets: 0, errors: 0, slow: 0 }) };
  }

  /** The next `count` artifact downloads serve a body with a flipped first byte (hash mismatch). */
  corruptNextDownloads(count: number): void {
    this.#downloadFaults.push({ remaining: count, match: undefined, corrupt: true });
  }

  /** The next `count` artifact downloads stop after `afterBytes` body bytes (connection closed). */
  interruptNextDownloads(count: number, afterBytes: number): void {
    this.#downloadFaults.push({ remaining: count, match: undefined, corrupt: false, interruptAfter: afterBytes });
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.#handle(req, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `fake hawkBit: ${(error as Error).message}` }));
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    const { auth, credential } = parseAuthorization(req.headers.authorization);
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const [tenant, controller, version, controllerId, ...rest] = segments;
    const isDdi = tenant === this.tenant && controller === 'controller' && version === 'v1' && controllerId !== undefined;
    let target = isDdi ? this.#targets.get(controllerId) : undefined;
    const gatewayOk = auth === 'GatewayToken' && this.#options.gatewayToken !== undefined && credential === this.#options.gatewayToken;
    if (isDdi && !target && gatewayOk) target = this.addTarget(controllerId); // the real server registers unknown targets
    const socket = req.socket as TLSSocket;
    const certificateOk = this.#options.tls?.certificateAuth === true && socket.authorized === true && socket.getPeerCertificate().subject?.CN === controllerId;
    const authAccepted = target !== undefined && (gatewayOk || certificateOk || (auth === 'TargetToken' && target.token !== undefined && credential === target.token));
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname + url.search, auth, authAccepted, headers: safeHeaders(req), body: parseJson(raw), at: Date.now() };
    this.requests.push(recorded);
    this.#options.onRequest?.(recorded);

    const delayed = take(this.#delays, url.pathname);
    if (delayed) await sleep(delayed.ms);
    const failure = take(this.#failures, url.pathname);
    if (failure) return send(res, req, { status: failure.status, json: failure.body }, failure.retryAfter, failure.headers);
    const random = this.#random?.decide(url.pathname);
    if (random && random.delayMs > 0) await sleep(random.delayMs);
    if (random?.outcome === 'reset') return void req.socket.resetAndDestroy();
    if (random?.outcome === 'error') return send(res, req, { status: random.status });
    if (!isDdi) return send(res, req, { status: 404 });
    if (!authAccepted || !target) return send(res, req, { status: 401 });

    if (rest[0] === 'softwaremodules' && rest[2] === 'artifacts' && rest[3] !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      return this.#artifact(req, res, target, Number(rest[1]), rest[3]);
    }
    return send(res, req, target.handle(req.method ?? 'GET', rest, url.searchParams, parseJson(raw)));
  }

  #artifact(req: IncomingMessage, res: ServerResponse, target: FakeTarget, moduleId: number, file: string): void {
    const md5sum = file.endsWith('.MD5SUM');
    const filename = md5sum ? file.slice(0, -'.MD5SUM'.length) : file;
    const artifact = target.actions.map((a) => a.findArtifact(moduleId, filename)).find((a) => a !== undefined);
    if (!artifact) return send(res, req, { status: 404 });
    if (md5sum) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${artifact.hashes.md5}  ${artifact.filename}\n`);
      return;
    }
    const fault = take(this.#downloadFaults, '');
    const served = serveArtifact(req, res, artifact, { corrupt: fault?.corrupt ?? false, interruptAfter: fault?.interruptAfter });
    if (served !== undefined) this.downloads.push(served);
  }
}

function take<T extends Fault>(faults: T[], path: string): T | undefined {
  const fault = faults.find((f) => f.remaining > 0 && (f.match === undefined || f.match.test(path)));
  if (fault) fault.remaining -= 1;
  return fault;
}

/** Writes a reply; GET JSON answers carry an ETag and honour If-None-Match, like hawkBit's shallow ETag filter. */
function send(res: ServerResponse, req: IncomingMessage, reply: Reply, retryAfter?: string, extra: Readonly<Record<string, string>> = {}): void {
  const headers: Record<string, string> = { ...extra };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  if (reply.json === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.json);
  headers['content-type'] = 'application/hal+json';
  if (req.method === 'GET' && reply.status === 200) {
    const etag = `"0${createHash('md5').update(text).digest('hex')}"`;
    headers.etag = etag;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
  }
  res.writeHead(reply.status, headers).end(text);
}

function parseAuthorization(header: string | undefined): { auth: RecordedRequest['auth']; credential: string | undefined } {
  if (header === undefined) return { auth: 'none', credential: undefined };
  const match = /^(TargetToken|GatewayToken) (.+)$/.exec(header);
  return match ? { auth: match[1] as 'TargetToken' | 'GatewayToken', credential: match[2] } : { auth: 'other', credential: undefined };
}

function safeHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'authorization' || name === 'proxy-authorization' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
