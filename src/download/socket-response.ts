import type { Agent as HttpAgent } from 'node:http';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { ClientCertificateRefusedError, openRawConnection, type RawConnection } from '../net/index.js';
import type { BodySink, ResponseBody } from './body-source.js';
import { ResponseParser, type ResponseHead } from './response-parser.js';

/** Bytes per socket read: one fixed buffer per connection (docs/performance.md, § How the downloader moves bytes). */
const READ_SIZE = 256 * 1024;
/**
 * The read while the sink has no room: Node asks for the next read's memory right after each read, so
 * the first read after a pause lands where the buffer was chosen at the pause — outside the sink's
 * memory, to be copied. One TLS record's worth (16 KiB) keeps that copy small; the read after it is
 * in place again.
 */
const PAUSED_READ_SIZE = 16 * 1024;

export interface SocketRequest {
  readonly url: URL;
  /** Request headers besides Host and Connection. */
  readonly headers: Readonly<Record<string, string>>;
  /** The agent an HTTP client would use for this URL: decides TLS settings, connect timeout and whether a proxy is in the way. */
  readonly agent: HttpAgent | undefined;
  readonly signal: AbortSignal;
}

export interface SocketResponse {
  readonly head: ResponseHead;
  readonly body: ResponseBody;
}

/**
 * GETs `request.url` over a connection of its own whose reads land in one fixed buffer; body bytes go
 * from there straight to the sink (no per-read allocation, no copy by an HTTP parser). One request per
 * connection (`Connection: close`): an artifact download is one long transfer, keep-alive buys nothing.
 * Resolves with the final response's head; undefined when the agent reaches the URL through a proxy.
 */
export function openSocketResponse(request: SocketRequest): Promise<SocketResponse> | undefined {
  const head = requestHead(request);
  const exchange = new SocketExchange(request.signal);
  const connection = openRawConnection(request.agent, request.url, { buffer: () => exchange.nextBuffer(), callback: (n, buffer) => exchange.onRead(n, buffer) });
  if (connection === undefined) return undefined;
  return exchange.start(connection, head);
}

function requestHead(request: SocketRequest): string {
  const { url } = request;
  const headers: Record<string, string> = { Host: url.host, 'User-Agent': 'hawkbit-rauc' };
  const names = new Map<string, string>(Object.keys(headers).map((name) => [name.toLowerCase(), name]));
  const set = (name: string, value: string): void => {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    const lower = name.toLowerCase();
    if (lower === 'connection' || lower === 'host') return;
    const previous = names.get(lower);
    if (previous !== undefined) delete headers[previous];
    names.set(lower, name);
    headers[name] = value;
  };
  if (url.username !== '' || url.password !== '') {
    set('Authorization', `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`);
  }
  for (const [name, value] of Object.entries(request.headers)) set(name, value);
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `GET ${url.pathname}${url.search} HTTP/1.1\r\n${lines.join('')}Connection: close\r\n\r\n`;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** One request and its response on one raw connection. */
class SocketExchange implements ResponseBody {
  readonly buffer = Buffer.allocUnsafe(READ_SIZE);
  readonly #pausedBuffer = this.buffer.subarray(0, PAUSED_READ_SIZE);
  readonly #signal: AbortSignal;
  readonly #parser = new ResponseParser((bytes, start, end) => this.#toSink(bytes, start, end));
  #connection: RawConnection | undefined;
  #sink: BodySink | undefined;
  /** Body bytes that came in the read that ended the head, kept until a sink is there. */
  #rest: Uint8Array | undefined;
  #waiter: Waiter | undefined;
  #error: unknown;
  #failed = false;
  #done = false;
  #ready = false;
  #eof = false;
  #received = 0;
  /** The sink asked to pause during the current read. */
  #hold = false;
  /** Waiting for the sink's `drained()`. */
  #draining = false;
  readonly #onAbort = (): void => this.#fail(this.#signal.reason);
  readonly #cleanups: (() => void)[] = [() => this.#signal.removeEventListener('abort', this.#onAbort)];

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  start(connection: RawConnection, head: string): Promise<SocketResponse> {
    this.#connection = connection;
    const { socket } = connection;
    socket.once(connection.readyEvent, () => (this.#ready = true));
    socket.on('error', (error) => this.#fail(error));
    socket.on('end', () => this.#onEnd());
    socket.on('close', () => this.#onEnd());
    const opened = this.#wait().then(() => ({ head: this.#parser.head!, body: this as ResponseBody }));
    if (this.#signal.aborted) this.#onAbort();
    else this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    if (!this.#failed) socket.write(head, 'latin1');
    return opened;
  }

  /**
   * Where the next socket read lands (onread asks after every read): while the body flows, the sink's
   * own memory when it offers some (no copy of body bytes); otherwise the fixed buffer — for the head
   * and a sink without memory all of it; after the head until the body has a sink, while paused (a TLS
   * layer still hands over records) and when the sink is full its first PAUSED_READ_SIZE bytes.
   */
  nextBuffer(): Uint8Array {
    if (this.#failed || this.#done || this.#parser.head === undefined) return this.buffer;
    // The head is read: until the caller decides (pipeTo) and while paused, the socket waits.
    if (this.#sink === undefined || this.#draining) return this.#pausedBuffer;
    if (this.#sink.target === undefined) return this.buffer;
    return this.#sink.target() ?? this.#pausedBuffer;
  }

  /** The onread callback: `n` new bytes at the start of `buffer` (the one nextBuffer() gave). False pauses the socket. */
  onRead(n: number, buffer: Uint8Array): boolean {
    if (this.#failed || this.#done) return false;
    this.#received += n;
    try {
      let at = 0;
      if (this.#parser.head === undefined) {
        at = this.#parser.execute(buffer, 0, n);
        if (this.#parser.head === undefined) return true;
        this.#connection!.socket.pause();
        this.#settle();
      }
      if (this.#sink === undefined) {
        // Until the caller has decided on the head. A paused TLS socket may still hand over records it
        // had already decrypted, so this appends; it is a copy, the buffer takes the next read.
        if (at < n) this.#rest = this.#rest === undefined ? Buffer.from(buffer.subarray(at, n)) : Buffer.concat([this.#rest, buffer.subarray(at, n)]);
        return false;
      }
      this.#parser.execute(buffer, at, n);
      return this.#afterBody();
    } catch (error) {
      this.#fail(error);
      return false;
    }
  }

  pipeTo(sink: BodySink, signal: AbortSignal): Promise<void> {
    const piped = this.#wait();
    if (this.#failed) return piped;
    this.#sink = sink;
    if (signal !== this.#signal) {
      const onAbort = (): void => this.#fail(signal.reason);
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    try {
      const rest = this.#rest;
      this.#rest = undefined;
      if (rest !== undefined) this.#parser.execute(rest, 0, rest.length);
      if (this.#afterBody() && !this.#done) this.#connection!.socket.resume();
    } catch (error) {
      this.#fail(error);
    }
    return piped;
  }

  destroy(): void {
    if (!this.#done && !this.#failed) this.#fail(new Error('response body dropped'));
  }

  #toSink(bytes: Uint8Array, start: number, end: number): void {
    if (!this.#sink!.write(bytes, start, end)) this.#hold = true;
  }

  /** After body bytes went to the sink: true to read on; otherwise the message ended or the sink is full. */
  #afterBody(): boolean {
    if (this.#parser.complete) {
      this.#finish();
      return false;
    }
    if (this.#eof) {
      this.#parser.end();
      this.#finish();
      return false;
    }
    if (!this.#hold) return true;
    this.#hold = false;
    this.#connection!.socket.pause();
    // Reads that still come while paused (TLS) go to the sink, which keeps them; one wait at a time.
    if (this.#draining) return false;
    this.#draining = true;
    this.#sink!.drained().then(
      () => {
        this.#draining = false;
        if (!this.#failed && !this.#done) this.#connection!.socket.resume();
      },
      (error: unknown) => this.#fail(error),
    );
    return false;
  }

  #onEnd(): void {
    if (this.#failed || this.#done || this.#eof) return;
    this.#eof = true;
    const connection = this.#connection!;
    if (this.#received === 0 && this.#ready && connection.presentsCertificate) return this.#fail(new ClientCertificateRefusedError(connection.target));
    // A close-delimited body ends here; the bytes kept after the head are delivered first (pipeTo).
    if (this.#parser.head !== undefined && this.#sink === undefined) return;
    try {
      this.#parser.end();
      this.#finish();
    } catch (error) {
      this.#fail(error);
    }
  }

  #wait(): Promise<void> {
    if (this.#failed) return Promise.reject(this.#error);
    return new Promise<void>((resolve, reject) => (this.#waiter = { resolve, reject }));
  }

  #settle(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve();
  }

  #finish(): void {
    this.#done = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#connection?.socket.destroy();
    this.#settle();
  }

  #fail(error: unknown): void {
    if (this.#failed || this.#done) return;
    this.#failed = true;
    this.#error = error;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#connection?.socket.destroy();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }
}
