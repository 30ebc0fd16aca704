import { BadChunkError, IncompleteResponseError, MalformedResponseError } from './response-errors.js';

// Hand-written because Node's HTTP parser copies every body piece (undici, node:http measured: no gain; docs/performance.md).

export interface ResponseHead {
  readonly status: number;
  readonly reason: string;
  /** Lower-case header name → its values, in the order received. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
}

/** Receives body bytes `bytes[start, end)`; the view is valid only during the call. */
export type BodyCallback = (bytes: Uint8Array, start: number, end: number) => void;

/** Node's own bound for a response head (`--max-http-header-size`). */
export const MAX_HEAD_BYTES = 16 * 1024;
const MAX_CHUNK_LINE = 4096;
const MAX_INTERIM_RESPONSES = 10;
/** 13 hex digits stay below 2^53. */
const MAX_CHUNK_DIGITS = 13;

const CR = 0x0d;
const LF = 0x0a;
const HEAD = 0;
const LENGTH = 1;
const CLOSE = 2;
const CHUNK_SIZE = 3;
const CHUNK_SIZE_SPACE = 4;
const CHUNK_EXT = 5;
const CHUNK_SIZE_LF = 6;
const CHUNK_DATA = 7;
const CHUNK_DATA_CR = 8;
const CHUNK_DATA_LF = 9;
const TRAILER = 10;
const DONE = 11;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/;

/**
 * An incremental HTTP/1.1 response parser for one GET (RFC 9112): status line and headers (bounded),
 * then the body framed by Content-Length, chunked transfer coding or the connection's close. Bytes may
 * arrive split anywhere. Body bytes go to the callback as views of the caller's buffer, never copied.
 * Interim 1xx responses are skipped. Anything it cannot frame exactly is a typed error.
 */
export class ResponseParser {
  readonly #onBody: BodyCallback;
  readonly #maxHead: number;
  #state = HEAD;
  #head: ResponseHead | undefined;
  readonly #line: number[] = [];
  readonly #lines: string[] = [];
  #headBytes = 0;
  #interim = 0;
  /** Bytes left of the body (LENGTH) or of the current chunk (CHUNK_DATA). */
  #remaining = 0;
  #digits = 0;
  #lineBytes = 0;

  constructor(onBody: BodyCallback, maxHeadBytes = MAX_HEAD_BYTES) {
    this.#onBody = onBody;
    this.#maxHead = maxHeadBytes;
  }

  /** The final response's head, once parsed. */
  get head(): ResponseHead | undefined {
    return this.#head;
  }

  /** True once the whole message (head and framed body) is parsed. */
  get complete(): boolean {
    return this.#state === DONE;
  }

  /**
   * Feeds `bytes[start, end)`. In the head phase it stops right after the final head and returns the
   * offset of the first byte it did not consume; otherwise it consumes up to the message's end.
   */
  execute(bytes: Uint8Array, start: number, end: number): number {
    let at = start;
    while (at < end) {
      const state = this.#state;
      if (state === HEAD) {
        at = this.#readHead(bytes, at, end);
        if (this.#head !== undefined) return at;
      } else if (state === LENGTH || state === CHUNK_DATA) {
        const n = Math.min(this.#remaining, end - at);
        this.#onBody(bytes, at, at + n);
        at += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#state = state === LENGTH ? DONE : CHUNK_DATA_CR;
      } else if (state === CLOSE) {
        this.#onBody(bytes, at, end);
        return end;
      } else if (state === DONE) {
        return at;
      } else {
        this.#chunkFraming(bytes[at]!);
        at++;
      }
    }
    return at;
  }

  /** The connection ended: an IncompleteResponseError unless the message is complete or ends with the connection. */
  end(): void {
    if (this.#state === CLOSE) this.#state = DONE;
    if (this.#state === DONE) return;
    throw new IncompleteResponseError(
      this.#head === undefined
        ? `before the end of the response head (${this.#headBytes} bytes received)`
        : this.#state === LENGTH
          ? `with ${this.#remaining} bytes of the body still to come (Content-Length)`
          : 'in the middle of a chunked body (no last chunk)',
    );
  }

  #readHead(bytes: Uint8Array, start: number, end: number): number {
    for (let at = start; at < end; at++) {
      const byte = bytes[at]!;
      if (++this.#headBytes > this.#maxHead) throw new MalformedResponseError('head-too-large', `the response head exceeds ${this.#maxHead} bytes`);
      if (byte !== LF) {
        this.#line.push(byte);
        continue;
      }
      if (this.#line.at(-1) === CR) this.#line.pop();
      const line = String.fromCharCode(...this.#line);
      this.#line.length = 0;
      if (line !== '') this.#lines.push(line);
      else if (this.#lines.length > 0 && this.#finishHead()) return at + 1;
    }
    return end;
  }

  /** A head is complete; returns true for the final one (false for a skipped 1xx). */
  #finishHead(): boolean {
    const [statusLine = '', ...fields] = this.#lines;
    this.#lines.length = 0;
    const match = STATUS_LINE.exec(statusLine);
    if (match === null || CONTROL.test(statusLine)) throw new MalformedResponseError('status-line', `not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
    const status = Number(match[1]);
    const headers = parseFields(fields);
    if (status >= 100 && status < 200) {
      if (status === 101) throw new MalformedResponseError('status-line', '101 Switching Protocols to a GET that asked for none');
      if (++this.#interim > MAX_INTERIM_RESPONSES) throw new MalformedResponseError('status-line', `more than ${MAX_INTERIM_RESPONSES} interim 1xx responses`);
      this.#headBytes = 0;
      return false;
    }
    this.#head = { status, reason: match[2] ?? '', headers };
    this.#frame(status, headers);
    return true;
  }

  /** RFC 9112 § 6.3, for the response to a GET. */
  #frame(status: number, headers: ReadonlyMap<string, readonly string[]>): void {
    const encodings = headers.get('transfer-encoding');
    const lengths = headers.get('content-length');
    if (status === 204 || status === 304) {
      this.#state = DONE;
      return;
    }
    if (encodings !== undefined) {
      if (lengths !== undefined) throw new MalformedResponseError('framing', 'both Transfer-Encoding and Content-Length');
      const codings = encodings.join(',').split(',').map((coding) => coding.trim().toLowerCase()).filter((coding) => coding !== '');
      if (codings.length !== 1 || codings[0] !== 'chunked') throw new MalformedResponseError('transfer-encoding', `unsupported Transfer-Encoding ${JSON.stringify(encodings.join(', '))}`);
      this.#startChunkLine();
      return;
    }
    if (lengths !== undefined) {
      const values = new Set(lengths.join(',').split(',').map((value) => value.trim()));
      const [value = ''] = values;
      if (values.size !== 1) throw new MalformedResponseError('content-length', `conflicting Content-Length values ${[...values].join(', ')}`);
      if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) throw new MalformedResponseError('content-length', `invalid Content-Length ${JSON.stringify(value.slice(0, 40))}`);
      this.#remaining = Number(value);
      this.#state = this.#remaining === 0 ? DONE : LENGTH;
      return;
    }
    this.#state = CLOSE;
  }

  #startChunkLine(): void {
    this.#state = CHUNK_SIZE;
    this.#remaining = 0;
    this.#digits = 0;
    this.#lineBytes = 0;
  }

  /** One byte of a chunk-size line, of the CRLF after chunk data, or of the trailer section. */
  #chunkFraming(byte: number): void {
    const state = this.#state;
    if (state === TRAILER) return this.#trailer(byte);
    if (state === CHUNK_DATA_CR || state === CHUNK_DATA_LF) {
      if (byte === LF) return this.#startChunkLine();
      if (byte === CR && state === CHUNK_DATA_CR) {
        this.#state = CHUNK_DATA_LF;
        return;
      }
      throw new BadChunkError('chunk data not followed by CRLF');
    }
    if (++this.#lineBytes > MAX_CHUNK_LINE) throw new BadChunkError(`chunk-size line longer than ${MAX_CHUNK_LINE} bytes`);
    if (byte === LF && state !== CHUNK_SIZE) return this.#endChunkLine();
    if (byte === LF && this.#digits > 0) return this.#endChunkLine();
    if (state === CHUNK_SIZE_LF) throw new BadChunkError('CR without LF after the chunk size');
    if (state === CHUNK_EXT) {
      if (byte === CR) this.#state = CHUNK_SIZE_LF;
      return;
    }
    const digit = hexValue(byte);
    if (state === CHUNK_SIZE && digit >= 0) {
      if (++this.#digits > MAX_CHUNK_DIGITS) throw new BadChunkError('chunk size too large');
      this.#remaining = this.#remaining * 16 + digit;
      return;
    }
    if (this.#digits === 0) throw new BadChunkError(`chunk size is not hexadecimal (byte 0x${byte.toString(16).padStart(2, '0')})`);
    if (byte === 0x20 || byte === 0x09) this.#state = CHUNK_SIZE_SPACE;
    else if (byte === 0x3b) this.#state = CHUNK_EXT;
    else if (byte === CR) this.#state = CHUNK_SIZE_LF;
    else throw new BadChunkError(`unexpected byte 0x${byte.toString(16).padStart(2, '0')} after the chunk size`);
  }

  #endChunkLine(): void {
    if (this.#remaining === 0) {
      this.#state = TRAILER;
      this.#lineBytes = 0;
      this.#headBytes = 0;
    } else {
      this.#state = CHUNK_DATA;
    }
  }

  /** The trailer section after the last chunk: ignored, bounded like a head, ended by an empty line. */
  #trailer(byte: number): void {
    if (++this.#headBytes > this.#maxHead) throw new MalformedResponseError('head-too-large', `the trailer section exceeds ${this.#maxHead} bytes`);
    if (byte === LF) {
      if (this.#lineBytes === 0) this.#state = DONE;
      this.#lineBytes = 0;
    } else if (byte !== CR || this.#lineBytes > 0) {
      this.#lineBytes++;
    }
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

function parseFields(fields: readonly string[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (const field of fields) {
    if (field.startsWith(' ') || field.startsWith('\t')) throw new MalformedResponseError('header', 'obsolete line folding');
    const colon = field.indexOf(':');
    const name = colon < 0 ? '' : field.slice(0, colon);
    if (!TOKEN.test(name)) throw new MalformedResponseError('header', `not a header field: ${JSON.stringify(field.slice(0, 80))}`);
    const value = field.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (CONTROL.test(value)) throw new MalformedResponseError('header', `control character in the value of ${name}`);
    const key = name.toLowerCase();
    const values = headers.get(key);
    if (values === undefined) headers.set(key, [value]);
    else values.push(value);
  }
  return headers;
}
