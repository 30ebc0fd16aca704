import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does for one request; requests consume the plan in order, then get `ok`. */
export type Behaviour =
  /** Serves the file, honouring `Range: bytes=N-` (206, or 416 past the end). */
  | { readonly kind: 'ok' }
  /** Serves the file but always from byte 0 with 200, whatever the Range. */
  | { readonly kind: 'ignore-range' }
  /** Announces the full length, sends the body up to file offset `at`, then closes the connection. */
  | { readonly kind: 'cut'; readonly at: number }
  /** Sends the body up to file offset `at`, then sends nothing more and keeps the connection open. */
  | { readonly kind: 'stall'; readonly at: number }
  /** Answers with `status` (and `headers`) and a short text body. */
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  /** Redirects (302) to `location`. */
  | { readonly kind: 'redirect'; readonly location: string }
  /** Sends headers with this Content-Length, then the real body (from the asked offset). */
  | { readonly kind: 'content-length'; readonly value: number }
  /** Sends the body without Content-Length (chunked). */
  | { readonly kind: 'chunked' }
  /** Never answers (the request hangs until the client gives up). */
  | { readonly kind: 'hold' };

export interface SeenRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly behaviour: Behaviour['kind'];
}

/** A random test file and its hashes. */
export interface TestFile {
  readonly data: Buffer;
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: string;
}

export function testFile(size: number): TestFile {
  const data = randomBytes(size);
  const hash = (algorithm: string) => createHash(algorithm).update(data).digest('hex');
  return { data, md5: hash('md5'), sha1: hash('sha1'), sha256: hash('sha256') };
}

/**
 * A real local HTTP server (port from the OS) serving one file per path with scripted faults. Records
 * every request and the body bytes it sent, so tests assert on what went over the wire.
 */
export class FaultServer {
  readonly requests: SeenRequest[] = [];
  /** Body bytes written to sockets, over all requests. */
  bytesSent = 0;
  readonly #server: Server;
  readonly #files = new Map<string, Buffer>();
  readonly #plans = new Map<string, Behaviour[]>();
  readonly #open = new Set<ServerResponse>();
  #stalled: (() => void)[] = [];

  private constructor() {
    this.#server = createServer((request, response) => this.#handle(request, response));
  }

  static async start(): Promise<FaultServer> {
    const server = new FaultServer();
    server.#server.listen(0, '127.0.0.1');
    await once(server.#server, 'listening');
    return server;
  }

  get origin(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  /** Serves `data` at `path`; `plan` scripts the first requests for it. */
  serve(path: string, data: Buffer, plan: Behaviour[] = []): string {
    this.#files.set(path, data);
    this.#plans.set(path, [...plan]);
    return this.url(path);
  }

  /** Scripts a path that has no file (status and redirect behaviours). */
  script(path: string, plan: Behaviour[]): string {
    this.#plans.set(path, [...plan]);
    return this.url(path);
  }

  /** Resolves when a `stall` behaviour has sent its bytes. */
  stalled(): Promise<void> {
    return new Promise((resolve) => this.#stalled.push(resolve));
  }

  async close(): Promise<void> {
    for (const response of this.#open) response.destroy();
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close').catch(() => undefined);
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', this.origin).pathname;
    const behaviour: Behaviour = this.#plans.get(path)?.shift() ?? { kind: 'ok' };
    this.requests.push({ path, headers: request.headers, behaviour: behaviour.kind });
    this.#open.add(response);
    response.on('close', () => this.#open.delete(response));
    const data = this.#files.get(path);
    if (behaviour.kind === 'hold') return;
    if (behaviour.kind === 'status' || (data === undefined && behaviour.kind !== 'redirect')) {
      const status = behaviour.kind === 'status' ? behaviour.status : 404;
      response.writeHead(status, { 'content-type': 'text/plain', ...(behaviour.kind === 'status' ? behaviour.headers : {}) });
      response.end(`status ${status}\n`);
      return;
    }
    if (behaviour.kind === 'redirect') {
      response.writeHead(302, { location: behaviour.location });
      response.end();
      return;
    }
    if (data === undefined) return;
    const asked = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = behaviour.kind === 'ignore-range' || asked === null ? 0 : Number(asked[1]);
    if (start > 0 && start >= data.length) {
      response.writeHead(416, { 'content-range': `bytes */${data.length}` });
      response.end();
      return;
    }
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
    if (behaviour.kind === 'content-length') headers['content-length'] = behaviour.value;
    else if (behaviour.kind !== 'chunked') headers['content-length'] = data.length - start;
    if (start > 0) headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    response.writeHead(start > 0 ? 206 : 200, headers);
    const end = behaviour.kind === 'cut' || behaviour.kind === 'stall' ? Math.max(start, behaviour.at) : data.length;
    const body = data.subarray(start, end);
    this.bytesSent += body.length;
    if (behaviour.kind === 'cut') {
      response.write(body, () => response.socket?.end());
    } else if (behaviour.kind === 'stall') {
      response.write(body, () => {
        for (const wake of this.#stalled.splice(0)) wake();
      });
    } else {
      response.end(body);
    }
  }
}
