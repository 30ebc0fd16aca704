import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import axios from 'axios';
import { PreparedAxios, type AxiosCall } from '../../../src/ddi/axios-call.js';
import { createTransport } from '../../../src/net/index.js';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A server that records every request and answers as `reply` says. */
async function recorder(reply: (url: string, res: ServerResponse) => void = (_url, res) => res.end('{}')) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      reply(req.url!, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { received, base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const text = async (stream: Readable) => {
  let all = '';
  for await (const chunk of stream) all += String(chunk);
  return all;
};

/** What `axios.request()` sent before, through an instance configured as the DDI client's was. */
function viaRequest(call: AxiosCall, transport: ReturnType<typeof createTransport>) {
  const instance = axios.create({ httpAgent: transport.httpAgent, httpsAgent: transport.httpsAgent, proxy: false, maxRedirects: 0, responseType: 'stream', validateStatus: () => true, decompress: true });
  return instance.request<Readable>({ method: call.method, url: call.url, headers: { ...call.headers }, signal: call.signal, data: call.data });
}

test('the prepared call puts the same request on the wire as axios.request() did: GET, POST with and without a body, PUT', async (t) => {
  const server = await recorder();
  const transport = createTransport({ ssl: false, env: {} });
  const prepared = new PreparedAxios(transport);
  const signal = new AbortController().signal;
  const common = { Accept: 'application/hal+json, application/json', 'User-Agent': 'hawkbit-rauc/test', Authorization: 'TargetToken secret' };
  const calls: AxiosCall[] = [
    { method: 'GET', url: `${server.base}/t/controller/v1/dev`, headers: { ...common, 'If-None-Match': '"etag-1"' }, signal },
    { method: 'POST', url: `${server.base}/t/controller/v1/dev/deploymentBase/1/feedback`, headers: { ...common, 'Content-Type': 'application/json' }, data: '{"status":{"execution":"proceeding"}}', signal },
    { method: 'POST', url: `${server.base}/t/controller/v1/dev/confirmationBase/deactivateAutoConfirm`, headers: common, signal },
    { method: 'PUT', url: `${server.base}/t/controller/v1/dev/configData`, headers: { ...common, 'Content-Type': 'application/json' }, data: '{"mode":"merge","data":{"a":"b"}}', signal },
  ];
  try {
    for (const call of calls) {
      await text((await prepared.request(call)).data);
      await text((await viaRequest(call, transport)).data);
    }
    t.is(server.received.length, calls.length * 2);
    for (let index = 0; index < calls.length; index++) {
      const [ours, before] = [server.received[2 * index]!, server.received[2 * index + 1]!];
      t.deepEqual({ ...ours, headers: { ...ours.headers, connection: undefined } }, { ...before, headers: { ...before.headers, connection: undefined } }, `${calls[index]!.method} ${calls[index]!.url}`);
    }
    t.is(server.received[0]!.headers['if-none-match'], '"etag-1"');
    t.is(server.received[2]!.headers['content-type'], 'application/json');
    t.is(server.received[4]!.headers['content-type'], 'application/x-www-form-urlencoded', 'a body-less POST keeps axios’s default type');
  } finally {
    transport.destroy();
    await server.close();
  }
});

test('the prepared call follows no redirect, reads no proxy from the environment, hands every status back and decompresses', async (t) => {
  const server = await recorder((url, res) => {
    if (url === '/moved') {
      res.writeHead(302, { Location: '/elsewhere' }).end();
    } else if (url === '/gzip') {
      res.writeHead(200, { 'Content-Encoding': 'gzip', ETag: '"z"' }).end(gzipSync('{"ok":true}'));
    } else {
      res.writeHead(503, { 'Retry-After': '7' }).end('{"errorCode":"x"}');
    }
  });
  const saved = { http: process.env.http_proxy, HTTP: process.env.HTTP_PROXY };
  process.env.http_proxy = process.env.HTTP_PROXY = 'http://127.0.0.1:9'; // nothing listens there
  const transport = createTransport({ ssl: false, env: {} });
  const prepared = new PreparedAxios(transport);
  const signal = new AbortController().signal;
  const call = (path: string): AxiosCall => ({ method: 'GET', url: `${server.base}${path}`, headers: { Accept: 'application/json' }, signal });
  try {
    const moved = await prepared.request(call('/moved'));
    await text(moved.data);
    t.is(moved.status, 302);
    t.is(moved.headers.location, '/elsewhere');
    const gzip = await prepared.request(call('/gzip'));
    t.is(await text(gzip.data), '{"ok":true}');
    t.is(gzip.headers.etag, '"z"');
    const unavailable = await prepared.request(call('/busy'));
    t.is(unavailable.status, 503);
    t.is(unavailable.headers['retry-after'], '7');
    t.is(await text(unavailable.data), '{"errorCode":"x"}');
    t.deepEqual(server.received.map((r) => r.url), ['/moved', '/gzip', '/busy'], 'the redirect was not followed');
  } finally {
    process.env.http_proxy = saved.http;
    process.env.HTTP_PROXY = saved.HTTP;
    if (saved.http === undefined) delete process.env.http_proxy;
    if (saved.HTTP === undefined) delete process.env.HTTP_PROXY;
    transport.destroy();
    await server.close();
  }
});

test('an aborted signal ends the prepared call with axios’s cancel error', async (t) => {
  const server = await recorder(() => undefined); // never answers
  const transport = createTransport({ ssl: false, env: {} });
  const controller = new AbortController();
  try {
    const pending = new PreparedAxios(transport).request({ method: 'GET', url: `${server.base}/slow`, headers: {}, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 50);
    const error = await t.throwsAsync(pending);
    t.true(axios.isCancel(error));
  } finally {
    transport.destroy();
    server.close().catch(() => undefined);
  }
});
