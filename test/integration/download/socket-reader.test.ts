/**
 * The artifact reader (a connection of its own, a fixed read buffer, our HTTP/1.1 response parser)
 * against real servers: https with the transport's TLS settings (ca_file, ssl_verify=false, mTLS, a
 * refused client certificate), bodies framed by the connection's close, answers node:http would never
 * send (malformed, bad chunks, cut), an abort while the head is awaited, and reads into the sink's own
 * memory (target()) over TLS, plain and chunked. What the servers received
 * is asserted: `Connection: close` and our User-Agent say that the reader, not axios, made the request.
 */
import { once } from 'node:events';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import test, { type ExecutionContext } from 'ava';
import { isDownloadFailedError } from '../../../src/download/index.js';
import { isBadChunkError, isIncompleteResponseError, isMalformedResponseError } from '../../../src/download/response-errors.js';
import { openSocketResponse } from '../../../src/download/socket-response.js';
import { createTransport, isClientCertificateRefusedError, type TransportOptions } from '../../../src/net/index.js';
import { makePki, type Pki } from '../../helpers/tls-fixture.js';
import { RawHttpServer } from '../faults/raw-http-server.js';
import { testFile, type TestFile } from './fault-server.js';
import { downloader, requestFor, sameContent, tempDir } from './setup.js';

const MiB = 1024 * 1024;
let pki: Pki;

test.before(() => {
  pki = makePki();
});

test.after.always(() => pki?.cleanup());

interface Seen {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly peer: string | undefined;
}

/** An https server for `file` (Range honoured) that records each request's headers and the client certificate's CN. */
async function httpsFileServer(t: ExecutionContext, file: TestFile, tls: { requestCert?: boolean; rejectUnauthorized?: boolean; ca?: string } = {}): Promise<{ url: string; seen: Seen[]; server: HttpsServer }> {
  const seen: Seen[] = [];
  const server = createHttpsServer({ key: pki.serverKey, cert: pki.serverCert, ...tls }, (request, response) => {
    const peer = (request.socket as TLSSocket).getPeerCertificate?.()?.subject?.CN;
    seen.push({ headers: request.headers, peer: typeof peer === 'string' ? peer : undefined });
    const asked = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = asked === null ? 0 : Number(asked[1]);
    response.writeHead(start > 0 ? 206 : 200, {
      'content-length': file.data.length - start,
      ...(start > 0 ? { 'content-range': `bytes ${start}-${file.data.length - 1}/${file.data.length}` } : {}),
    });
    response.end(file.data.subarray(start));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/a.raucb`, seen, server };
}

function transportFor(t: ExecutionContext, options: TransportOptions) {
  const transport = createTransport({ env: {}, connectTimeoutMs: 10_000, ...options });
  t.teardown(() => transport.destroy());
  return { httpAgent: transport.httpAgent, httpsAgent: transport.httpsAgent };
}

async function rawServer(t: ExecutionContext, misbehave: (socket: Socket) => void): Promise<RawHttpServer> {
  const server = await RawHttpServer.start(misbehave);
  t.teardown(() => server.close());
  return server;
}

/** A raw server that sends `data` with a Content-Length, in one socket write. */
function plainRawServer(t: ExecutionContext, data: Buffer): Promise<RawHttpServer> {
  return rawServer(t, (socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`);
    socket.end(data);
  });
}

/** A raw server that sends `data` chunked, one socket write per chunk of `chunkSize` bytes. */
function chunkedRawServer(t: ExecutionContext, data: Buffer, chunkSize: number): Promise<RawHttpServer> {
  return rawServer(t, (socket) => {
    socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let at = 0; at < data.length; at += chunkSize) {
      const piece = data.subarray(at, at + chunkSize);
      socket.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
    }
    socket.end('0\r\n\r\n');
  });
}

test('https with ca_file: the reader fetches and verifies over its own connection (Connection: close, our User-Agent)', async (t) => {
  // Large enough that the slot pool fills while TLS records keep coming (a paused TLS socket still delivers them).
  const [directory, file] = [await tempDir(t), testFile(24 * MiB + 17)];
  const { url, seen } = await httpsFileServer(t, file);
  const result = await downloader(transportFor(t, { caFile: pki.caFile })).download(requestFor(file, url, directory, { headers: { Authorization: 'TargetToken t-1' } }));
  t.true(await sameContent(result.path, file));
  t.is(seen.length, 1);
  t.is(seen[0]?.headers.connection, 'close');
  t.is(seen[0]?.headers['user-agent'], 'hawkbit-rauc');
  t.is(seen[0]?.headers.authorization, 'TargetToken t-1');
  t.is(seen[0]?.headers['accept-encoding'], 'identity');
});

test('https: an unknown CA is a TLS error and not retried; ssl_verify=false accepts it', async (t) => {
  const [directory, file] = [await tempDir(t), testFile(100_000)];
  const { url, server } = await httpsFileServer(t, file);
  let connections = 0;
  server.on('connection', () => connections++);
  const error = await t.throwsAsync(downloader(transportFor(t, {})).download(requestFor(file, url, directory)));
  t.is((error as { code?: string }).code, 'SELF_SIGNED_CERT_IN_CHAIN', String(error));
  t.is(connections, 1, 'not retried');
  const result = await downloader(transportFor(t, { sslVerify: false })).download(requestFor(file, url, directory));
  t.true(await sameContent(result.path, file));
});

test('mTLS: the transport\'s client certificate reaches the server; one the server refuses is ClientCertificateRefusedError', async (t) => {
  const [directory, file] = [await tempDir(t), testFile(MiB)];
  const mutual = await httpsFileServer(t, file, { requestCert: true, rejectUnauthorized: true, ca: pki.clientCa });
  const client = { caFile: pki.caFile, sslKey: pki.clientKeyFile, sslCert: pki.clientCertFile };
  const result = await downloader(transportFor(t, client)).download(requestFor(file, mutual.url, directory));
  t.true(await sameContent(result.path, file));
  t.is(mutual.seen.length, 1);
  t.truthy(mutual.seen[0]?.peer, 'the server saw a client certificate');
  // A server that completes the handshake (TLS 1.3) and then just closes: Node's own https server does this to an unknown client CA.
  let connections = 0;
  mutual.server.on('connection', () => connections++);
  const rogue = { caFile: pki.caFile, sslKey: pki.rogueClientKeyFile, sslCert: pki.rogueClientCertFile };
  const error = await t.throwsAsync(downloader(transportFor(t, rogue)).download(requestFor(file, mutual.url, `${directory}/rogue`)));
  // Which of the two the client sees depends on whether the server's alert or its close comes first.
  t.true(isClientCertificateRefusedError(error) || /^ERR_SSL_.*ALERT/.test(String((error as { code?: string }).code)), String(error));
  t.is(mutual.seen.length, 1, 'no request got through with the rogue certificate');
  t.is(connections, 1, 'not retried');
});

test('a body that ends with the connection (no Content-Length, not chunked) is the whole file', async (t) => {
  const [directory, file] = [await tempDir(t), testFile(2 * MiB + 5)];
  const server = await rawServer(t, (socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n');
    socket.end(file.data);
  });
  const result = await downloader().download(requestFor(file, `http://${server.hostPort}/a`, directory));
  t.true(await sameContent(result.path, file));
  t.is(server.requests, 1);
});

test('a malformed head is MalformedResponseError and not retried', async (t) => {
  const [directory, file] = [await tempDir(t), testFile(1000)];
  for (const answer of ['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Length: 999\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1000\r\n\r\n', 'SSH-2.0-OpenSSH_9.2\r\n\r\n']) {
    const server = await rawServer(t, (socket) => socket.end(answer));
    const error = await t.throwsAsync(downloader().download(requestFor(file, `http://${server.hostPort}/a`, directory)));
    t.true(isMalformedResponseError(error), `${JSON.stringify(answer)}: ${String(error)}`);
    t.is(server.requests, 1);
  }
});

test('a broken chunked body is retried (BadChunkError) and resumed with Range where the good bytes end', async (t) => {
  const [directory, file] = [await tempDir(t), testFile(300_000)];
  const ranges: string[] = [];
  const server = await rawServer(t, (socket) => {
    const first = ranges.length === 0;
    ranges.push(first ? '' : 'resumed');
    if (first) {
      const good = file.data.subarray(0, 100_000);
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${good.length.toString(16)}\r\n`), good, Buffer.from('\r\nzz\r\n')]));
    } else {
      const rest = file.data.subarray(100_000);
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100000-${file.data.length - 1}/${file.data.length}\r\nContent-Length: ${rest.length}\r\n\r\n`), rest]));
    }
  });
  const result = await downloader().download(requestFor(file, `http://${server.hostPort}/a`, directory));
  t.true(await sameContent(result.path, file));
  t.is(server.requests, 2);
  t.is(result.bytesFetched, file.data.length);
});

test('bad chunks on every attempt: DownloadFailedError with BadChunkError as cause; a cut chunked body: IncompleteResponseError', async (t) => {
  const [directory, file] = [await tempDir(t), testFile(1000)];
  const bad = await rawServer(t, (socket) => socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n'));
  const error = await t.throwsAsync(downloader({ retries: 2 }).download(requestFor(file, `http://${bad.hostPort}/a`, directory)));
  t.true(isDownloadFailedError(error) && isBadChunkError(error.cause), String(error));
  t.is(bad.requests, 3);
  const cut = await rawServer(t, (socket) => socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n'));
  const cutError = await t.throwsAsync(downloader({ retries: 1 }).download(requestFor(file, `http://${cut.hostPort}/a`, directory)));
  t.true(isDownloadFailedError(cutError) && isIncompleteResponseError(cutError.cause), String(cutError));
  t.is(cut.requests, 2);
});

test('an abort while the head is awaited rejects with the reason at once and closes the connection', async (t) => {
  const [directory, file] = [await tempDir(t), testFile(1000)];
  let closed: Promise<unknown> | undefined;
  const server = await rawServer(t, (socket) => {
    closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write('HTTP/1.1 200 OK\r\nContent-Len');
  });
  const controller = new AbortController();
  const reason = new Error('stop now');
  const pending = downloader().download(requestFor(file, `http://${server.hostPort}/a`, directory), { signal: controller.signal });
  while (server.requests === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  controller.abort(reason);
  t.is(await t.throwsAsync(pending), reason);
  await closed;
  t.is(server.requests, 1);
});

test('a sink that asks for a pause after every write gets every byte in order: https (records still come after the pause) and chunked http', async (t) => {
  const file = testFile(8 * MiB + 3);
  const { url } = await httpsFileServer(t, file);
  const chunkedServer = await chunkedRawServer(t, file.data, 5000);
  const { httpsAgent } = transportFor(t, { caFile: pki.caFile });
  for (const [target, agent] of [[url, httpsAgent], [`http://${chunkedServer.hostPort}/a`, undefined]] as const) {
    const received: Buffer[] = [];
    let writes = 0;
    let pausedWrites = 0;
    let paused = false;
    const sink = {
      write: (bytes: Uint8Array, start: number, end: number) => {
        writes++;
        if (paused) pausedWrites++;
        received.push(Buffer.from(bytes.subarray(start, end)));
        paused = true;
        return false;
      },
      drained: () =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            paused = false;
            resolve();
          }),
        ),
    };
    const signal = new AbortController().signal;
    const response = await openSocketResponse({ url: new URL(target), headers: {}, agent, signal })!;
    t.is(response.head.status, 200);
    await response.body.pipeTo(sink, signal);
    t.true(Buffer.concat(received).equals(file.data), target);
    t.true(writes > 100, `${target}: ${writes} writes`);
    t.log(`${target.split(':')[0]}: ${writes} writes, ${pausedWrites} of them while paused`);
  }
});

test('a sink that offers memory (target()) gets the body read into it: https, plain http and chunked http, every byte in order', async (t) => {
  const file = testFile(4 * MiB + 5);
  const { url } = await httpsFileServer(t, file);
  const plainServer = await plainRawServer(t, file.data);
  const chunkedServer = await chunkedRawServer(t, file.data, 70_000);
  const { httpsAgent } = transportFor(t, { caFile: pki.caFile });
  const targets = [
    [url, httpsAgent],
    [`http://${plainServer.hostPort}/a`, undefined],
    [`http://${chunkedServer.hostPort}/a`, undefined],
  ] as const;
  for (const [target, agent] of targets) {
    const memory = new Uint8Array(256 * 1024);
    const received: Buffer[] = [];
    let inPlace = 0;
    let copied = 0;
    const sink = {
      // Offers the whole block each time; what was read into it is taken out before the next read.
      target: () => memory,
      write: (bytes: Uint8Array, start: number, end: number) => {
        if (bytes.buffer === memory.buffer) inPlace += end - start;
        else copied += end - start;
        received.push(Buffer.from(bytes.subarray(start, end)));
        return true;
      },
      drained: () => Promise.resolve(),
    };
    const signal = new AbortController().signal;
    const response = await openSocketResponse({ url: new URL(target), headers: {}, agent, signal })!;
    await response.body.pipeTo(sink, signal);
    t.true(Buffer.concat(received).equals(file.data), target);
    t.true(inPlace > file.data.length * 0.9, `${target}: ${inPlace} bytes read in place, ${copied} copied (the head's read)`);
  }
});

test('after a pause for room the next read lands in 16 KiB of the fixed buffer, the reads after it in the sink\'s memory again: plain http and https', async (t) => {
  const file = testFile(4 * MiB + 5);
  const { url } = await httpsFileServer(t, file);
  const plainServer = await plainRawServer(t, file.data);
  const { httpsAgent } = transportFor(t, { caFile: pki.caFile });
  for (const [target, agent] of [[`http://${plainServer.hostPort}/a`, undefined], [url, httpsAgent]] as const) {
    const memory = new Uint8Array(256 * 1024);
    const received: Buffer[] = [];
    let writes = 0;
    let pauses = 0;
    let inPlace = 0;
    const outside: number[] = [];
    const sink = {
      target: () => memory,
      // Every fourth write says "no room", as a pool whose slots are all busy does.
      write: (bytes: Uint8Array, start: number, end: number) => {
        if (bytes.buffer === memory.buffer) inPlace += end - start;
        else outside.push(end - start);
        received.push(Buffer.from(bytes.subarray(start, end)));
        return ++writes % 4 !== 0;
      },
      drained: () => {
        pauses++;
        return new Promise<void>((resolve) => setImmediate(resolve));
      },
    };
    const signal = new AbortController().signal;
    const response = await openSocketResponse({ url: new URL(target), headers: {}, agent, signal })!;
    await response.body.pipeTo(sink, signal);
    t.true(Buffer.concat(received).equals(file.data), target);
    t.true(pauses >= 3, `${target}: ${pauses} pauses`);
    const afterHead = outside.slice(1);
    t.true(afterHead.every((length) => length <= 16 * 1024), `${target}: reads outside the sink's memory ${JSON.stringify(afterHead.slice(0, 20))}`);
    // Over TLS the records decrypted while paused come on (16 KiB each, outside): a pause every fourth record costs more.
    t.true(inPlace > file.data.length * (agent === undefined ? 0.8 : 0.3), `${target}: ${inPlace} bytes in place, ${outside.reduce((a, b) => a + b, 0)} copied`);
  }
});
