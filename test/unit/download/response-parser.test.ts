import { randomBytes } from 'node:crypto';
import test from 'ava';
import fc from 'fast-check';
import { isBadChunkError, isIncompleteResponseError, isMalformedResponseError } from '../../../src/download/response-errors.js';
import { MAX_HEAD_BYTES, ResponseParser, type ResponseHead } from '../../../src/download/response-parser.js';
import { propertyParams } from '../../helpers/property.js';

interface Parsed {
  readonly head: ResponseHead | undefined;
  readonly body: Buffer;
  readonly complete: boolean;
}

/**
 * Feeds `wire` in pieces cut at `cuts` (as a socket would deliver them, each piece from a reused read
 * buffer), the way the reader does: stop after the head, go on with the rest. Then the connection ends.
 */
function parse(wire: Buffer, cuts: readonly number[] = [], { end = true } = {}): Parsed {
  const pieces: Buffer[] = [];
  const parser = new ResponseParser((bytes, start, end) => pieces.push(Buffer.from(bytes.subarray(start, end))));
  const reused = Buffer.alloc(wire.length + 1);
  const points = [...new Set(cuts.map((cut) => cut % (wire.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, wire.length]) {
    if (to <= from) continue;
    reused.fill(0xee);
    wire.copy(reused, 0, from, to);
    let at = 0;
    while (at < to - from && !parser.complete) {
      const next = parser.execute(reused, at, to - from);
      if (next === at) break;
      at = next;
    }
    from = to;
  }
  if (end) parser.end();
  return { head: parser.head, body: Buffer.concat(pieces), complete: parser.complete };
}

const head = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');

/** `body` in chunks of the given sizes (the rest in one), with optional extensions and trailers. */
function chunked(body: Buffer, sizes: readonly number[], options: { ext?: boolean; trailer?: boolean; upper?: boolean } = {}): Buffer {
  const parts: Buffer[] = [head(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked'])];
  let at = 0;
  for (const size of [...sizes, body.length]) {
    const n = Math.min(size, body.length - at);
    if (n <= 0) continue;
    const hex = options.upper ? n.toString(16).toUpperCase() : n.toString(16);
    parts.push(Buffer.from(`${hex}${options.ext ? ';name="v"' : ''}\r\n`), body.subarray(at, at + n), Buffer.from('\r\n'));
    at += n;
  }
  parts.push(Buffer.from(options.trailer ? '0\r\nX-Checksum: abc\r\n\r\n' : '0\r\n\r\n'));
  return Buffer.concat(parts);
}

test('a Content-Length body: head fields, exact bytes, complete', (t) => {
  const body = randomBytes(1000);
  const parsed = parse(Buffer.concat([head(['HTTP/1.1 206 Partial Content', 'Content-Range: bytes 10-1009/5000', 'content-length: 1000', 'X-A: 1', 'x-a: 2']), body]));
  t.is(parsed.head?.status, 206);
  t.is(parsed.head?.reason, 'Partial Content');
  t.deepEqual(parsed.head?.headers.get('content-range'), ['bytes 10-1009/5000']);
  t.deepEqual(parsed.head?.headers.get('x-a'), ['1', '2']);
  t.true(parsed.body.equals(body));
  t.true(parsed.complete);
});

test('a chunked body with extensions and trailers; a close-delimited body; HTTP/1.0; bare LF line ends', (t) => {
  const body = randomBytes(3000);
  t.true(parse(chunked(body, [1, 1000, 7], { ext: true, trailer: true, upper: true })).body.equals(body));
  t.true(parse(Buffer.concat([head(['HTTP/1.0 200 OK', 'Server: x']), body])).body.equals(body));
  t.true(parse(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\nContent-Length: 3000\n\n'), body])).body.equals(body));
});

test('interim 100 responses are skipped; 204 and 304 have no body; a status without reason phrase', (t) => {
  const parsed = parse(Buffer.concat([head(['HTTP/1.1 100 Continue']), head(['HTTP/1.1 103 Early Hints', 'Link: </a>']), head(['HTTP/1.1 200 OK', 'Content-Length: 2']), Buffer.from('ok')]));
  t.is(parsed.head?.status, 200);
  t.is(parsed.body.toString(), 'ok');
  for (const status of [204, 304]) {
    const empty = parse(head([`HTTP/1.1 ${status} X`, 'Content-Length: 10']), [], { end: false });
    t.true(empty.complete && empty.body.length === 0, String(status));
  }
  t.is(parse(Buffer.concat([head(['HTTP/1.1 200', 'Content-Length: 1']), Buffer.from('x')])).head?.reason, '');
});

test('equal repeated Content-Length values are one; different ones, TE with CL, and other codings are MalformedResponseError', (t) => {
  t.is(parse(Buffer.concat([head(['HTTP/1.1 200 OK', 'Content-Length: 2', 'Content-Length: 2']), Buffer.from('ok')])).body.toString(), 'ok');
  t.is(parse(Buffer.concat([head(['HTTP/1.1 200 OK', 'Content-Length: 2, 2']), Buffer.from('ok')])).body.toString(), 'ok');
  const malformed = (lines: string[], part: string) => {
    const error = t.throws(() => parse(head(lines)));
    t.true(isMalformedResponseError(error), `${lines.join(' | ')}: ${String(error)}`);
    t.is((error as { part?: string }).part, part);
    t.is((error as { code?: string }).code, 'HTTP_RESPONSE_MALFORMED');
  };
  malformed(['HTTP/1.1 200 OK', 'Content-Length: 2', 'Content-Length: 3'], 'content-length');
  malformed(['HTTP/1.1 200 OK', 'Content-Length: 2, 3'], 'content-length');
  malformed(['HTTP/1.1 200 OK', 'Content-Length: -1'], 'content-length');
  malformed(['HTTP/1.1 200 OK', 'Content-Length: 0x10'], 'content-length');
  malformed(['HTTP/1.1 200 OK', 'Content-Length: 99999999999999999'], 'content-length');
  malformed(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Content-Length: 2'], 'framing');
  malformed(['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip, chunked'], 'transfer-encoding');
  malformed(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], 'transfer-encoding');
  malformed(['HTTP/1.1 200 OK', 'Transfer-Encoding: identity'], 'transfer-encoding');
  malformed(['HTTP/2 200'], 'status-line');
  malformed(['HTTP/1.1 20 OK'], 'status-line');
  malformed(['ICY 200 OK'], 'status-line');
  malformed(['HTTP/1.1 101 Switching Protocols'], 'status-line');
  malformed(['HTTP/1.1 200 OK', 'Content-Length : 2'], 'header');
  malformed(['HTTP/1.1 200 OK', 'no colon here'], 'header');
  malformed(['HTTP/1.1 200 OK', 'X-A: 1', ' folded'], 'header');
  malformed(['HTTP/1.1 200 OK', 'X-A: a\u0000b'], 'header');
  malformed(['HTTP/1.1 200 OK', 'X-A: a\rb'], 'header');
  malformed(['HTTP/1.1 200 OK', `X-Big: ${'a'.repeat(MAX_HEAD_BYTES)}`], 'head-too-large');
});

test('bad chunk framing is BadChunkError (retried like a cut); an early end is IncompleteResponseError', (t) => {
  const start = head(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked']);
  for (const tail of ['zz\r\n', '\r\n', '-1\r\n', '12345678901234\r\n', '3\r\nabcX', '3 4\r\n', '3\rX', `1;${'e'.repeat(5000)}\r\n`]) {
    const error = t.throws(() => parse(Buffer.concat([start, Buffer.from(tail)])));
    t.true(isBadChunkError(error), `${JSON.stringify(tail)}: ${String(error)}`);
    t.is((error as { code?: string }).code, 'HTTP_BAD_CHUNK');
  }
  const incomplete = [
    Buffer.from('HTTP/1.1 200 OK\r\nContent-Le'),
    Buffer.from(''),
    Buffer.concat([head(['HTTP/1.1 200 OK', 'Content-Length: 10']), Buffer.from('12345')]),
    Buffer.concat([start, Buffer.from('5\r\nabcde\r\n')]),
    Buffer.concat([start, Buffer.from('0\r\nX-T: 1\r\n')]),
  ];
  for (const wire of incomplete) {
    const error = t.throws(() => parse(wire));
    t.true(isIncompleteResponseError(error), `${JSON.stringify(wire.toString('latin1'))}: ${String(error)}`);
    t.is((error as { code?: string }).code, 'HTTP_RESPONSE_INCOMPLETE');
  }
});

test('bytes after the end of a framed message are not body', (t) => {
  const parsed = parse(Buffer.concat([head(['HTTP/1.1 200 OK', 'Content-Length: 2']), Buffer.from('okEXTRA')]));
  t.is(parsed.body.toString(), 'ok');
  t.is(parse(Buffer.concat([chunked(Buffer.from('abc'), [1]), Buffer.from('junk')])).body.toString(), 'abc');
});

const framings = fc.constantFrom('length', 'chunked', 'close', 'chunked-ext');

test('property: any split of a valid response across reads gives the same head and body bytes', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4000 }), framings, fc.array(fc.integer({ min: 1, max: 600 }), { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), (bytes, framing, sizes, cuts) => {
      const body = Buffer.from(bytes);
      const wire =
        framing === 'length'
          ? Buffer.concat([head(['HTTP/1.1 200 OK', `Content-Length: ${body.length}`, 'ETag: "x"']), body])
          : framing === 'close'
            ? Buffer.concat([head(['HTTP/1.1 200 OK']), body])
            : chunked(body, sizes, { ext: framing === 'chunked-ext', trailer: framing === 'chunked-ext' });
      const whole = parse(wire);
      const split = parse(wire, cuts);
      return whole.complete && split.complete && whole.body.equals(body) && split.body.equals(body) && split.head?.status === 200;
    }),
    propertyParams(400),
  );
  t.pass();
});

const typed = (error: unknown) => isMalformedResponseError(error) || isBadChunkError(error) || isIncompleteResponseError(error);

test('property: random bytes, and valid responses with bytes changed, end in a result or a typed error, never anything else', (t) => {
  const outcome = (wire: Buffer, cuts: readonly number[]): boolean => {
    try {
      const parsed = parse(wire, cuts);
      return parsed.complete;
    } catch (error) {
      if (!typed(error)) throw error;
      return true;
    }
  };
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => outcome(Buffer.from(bytes), cuts)),
    propertyParams(400),
  );
  const valid = chunked(randomBytes(500), [7, 100, 3], { ext: true, trailer: true });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (changes, cuts) => {
      const wire = Buffer.from(valid);
      for (const [at, byte] of changes) wire[at % wire.length] = byte;
      return outcome(wire, cuts);
    }),
    propertyParams(400),
  );
  t.pass();
});

test('a head that never ends is cut at the bound, however it is split', (t) => {
  const wire = Buffer.from(`HTTP/1.1 200 OK\r\n${'X-Pad: y\r\n'.repeat(3000)}`);
  const error = t.throws(() => parse(wire, [1, 17, 4000, 9000]));
  t.true(isMalformedResponseError(error) && (error as { part?: string }).part === 'head-too-large', String(error));
});
