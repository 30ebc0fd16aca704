import { inspect } from 'node:util';
import test from 'ava';
import { delay as mswDelay, http, HttpResponse, type JsonBodyType } from 'msw';
import {
  buildFeedback, DdiClient, isDdiActionClosedError, isDdiAuthError, isDdiHttpError, isDdiNetworkError,
  isDdiNotFoundError, isDdiProtocolError, isDdiQuotaError,
} from '../../../src/ddi/index.js';
import { isAbortError } from '../../../src/lib/abort.js';
import { baseOf, clientFor, controllerBase, RawLog, TOKEN, uniqueHost, useMsw } from './msw-harness.js';

const server = useMsw(test);

/** A base handler answering `statuses` in turn (then 200), counting calls. */
function sequence(host: string, statuses: { status: number; headers?: Record<string, string>; body?: JsonBodyType }[]) {
  const calls = { count: 0 };
  server.use(http.get(baseOf(host), () => {
    const next = statuses[calls.count++];
    if (next === undefined) return HttpResponse.json(controllerBase());
    return next.body === undefined ? new HttpResponse(null, { status: next.status, headers: next.headers }) : HttpResponse.json(next.body, { status: next.status, headers: next.headers });
  }));
  return calls;
}

for (const status of [408, 409, 429, 500, 502, 503, 504]) {
  test(`${status} is retried`, async (t) => {
    const host = uniqueHost();
    const calls = sequence(host, [{ status }, { status }]);
    t.is((await clientFor(host).poll()).sleepMs, 60_000);
    t.is(calls.count, 3);
  });
}

for (const [status, retryAfter] of [[429, '0'], [503, '1']] as const) {
  test(`Retry-After on ${status} is honoured within the bound`, async (t) => {
    const host = uniqueHost();
    const calls = sequence(host, [{ status, headers: { 'retry-after': retryAfter } }]);
    await clientFor(host).poll();
    t.is(calls.count, 2);
  });
}

test('a Retry-After beyond the bound ends the retries; the error carries it (seconds and HTTP date)', async (t) => {
  const host = uniqueHost();
  const calls = sequence(host, [{ status: 503, headers: { 'retry-after': '120' } }, { status: 429, headers: { 'retry-after': new Date(Date.now() + 600_000).toUTCString() } }]);
  const first = await t.throwsAsync(clientFor(host).poll());
  t.true(isDdiHttpError(first) && first.status === 503 && first.retryAfterMs === 120_000, String(first));
  const second = await t.throwsAsync(clientFor(host).poll());
  t.true(isDdiHttpError(second) && second.status === 429 && second.retryAfterMs! > 500_000, String(second));
  t.is(calls.count, 2);
});

test('401 and 403 are auth errors, never retried, and name the credential to check without its value', async (t) => {
  const host = uniqueHost();
  const calls = sequence(host, [{ status: 401 }, { status: 403 }, { status: 401 }]);
  const target = await t.throwsAsync(clientFor(host).poll());
  t.true(isDdiAuthError(target) && target.status === 401);
  t.regex(target!.message, /auth_token/);
  const gateway = await t.throwsAsync(clientFor(host, { auth: { kind: 'gateway-token', token: 'gw-abc-123' } }).poll());
  t.true(isDdiAuthError(gateway) && gateway.status === 403);
  t.regex(gateway!.message, /gateway_token/);
  const cert = await t.throwsAsync(clientFor(host, { auth: { kind: 'client-certificate' } }).poll());
  t.regex(cert!.message, /ssl_key\/ssl_cert/);
  t.is(calls.count, 3);
  for (const error of [target, gateway, cert]) t.false(error!.message.includes(TOKEN) || error!.message.includes('gw-abc-123'));
});

test('quota errors (403 up to 0.9, 429 from 0.10) are DdiQuotaError and not retried', async (t) => {
  const host = uniqueHost();
  const body = { exceptionClass: 'org.eclipse.hawkbit.repository.exception.AssignmentQuotaExceededException', errorCode: 'hawkbit.server.error.quota.tooManyEntries', message: 'quota' };
  const calls = sequence(host, [{ status: 403, body }, { status: 429, body }]);
  for (const status of [403, 429]) {
    const error = await t.throwsAsync(clientFor(host).poll());
    t.true(isDdiQuotaError(error) && error.status === status && error.errorCode === 'hawkbit.server.error.quota.tooManyEntries', String(error));
  }
  t.is(calls.count, 2);
});

test('404 is not retried; 410 on feedback is DdiActionClosedError, final', async (t) => {
  const host = uniqueHost();
  const base = baseOf(host);
  let feedbackCalls = 0;
  let fetchCalls = 0;
  server.use(
    http.get(base, () => HttpResponse.json(controllerBase({ deploymentBase: `${base}/deploymentBase/8?c=1` }))),
    http.get(`${base}/deploymentBase/8`, () => {
      fetchCalls += 1;
      return new HttpResponse(null, { status: 404 });
    }),
    http.post(`${base}/deploymentBase/8/feedback`, () => {
      feedbackCalls += 1;
      return new HttpResponse(null, { status: 410 });
    }),
  );
  const deployment = (await clientFor(host).poll()).deployment!;
  const gone = await t.throwsAsync(deployment.fetch());
  t.true(isDdiNotFoundError(gone));
  const closed = await t.throwsAsync(deployment.feedback(buildFeedback('closed', 'success')));
  t.true(isDdiActionClosedError(closed) && closed.actionId === '8');
  t.deepEqual([fetchCalls, feedbackCalls], [1, 1]);
});

test('request timeout: no complete answer within timeoutMs is a DdiNetworkError of kind timeout', async (t) => {
  const host = uniqueHost();
  server.use(http.get(baseOf(host), async () => {
    await mswDelay(5_000);
    return HttpResponse.json(controllerBase());
  }));
  const error = await t.throwsAsync(clientFor(host, { timeoutMs: 200, retry: { retries: 0 } }).poll());
  t.true(isDdiNetworkError(error) && error.kind === 'timeout', String(error));
  t.regex(error!.message, /timeout/);
  t.false(inspect(error, { depth: 20 }).includes(TOKEN));
});

test('a network error keeps its low-level cause but never the request (and its Authorization header)', async (t) => {
  const host = uniqueHost();
  server.use(http.get(baseOf(host), () => HttpResponse.error()));
  const error = await t.throwsAsync(clientFor(host, { retry: { retries: 0 } }).poll());
  t.true(isDdiNetworkError(error), String(error));
  t.truthy(error!.cause);
  t.false(inspect(error, { depth: 20, showHidden: true }).includes(TOKEN));
});

test('abort ends a call at once, also while waiting between retries', async (t) => {
  const host = uniqueHost();
  let calls = 0;
  server.use(http.get(baseOf(host), () => {
    calls += 1;
    return new HttpResponse(null, { status: 503, headers: { 'retry-after': '20' } });
  }));
  const controller = new AbortController();
  const client = clientFor(host, { retry: { retries: 5, maxDelayMs: 60_000, maxElapsedMs: 120_000 } });
  const pending = client.poll({ signal: controller.signal });
  while (calls === 0) await new Promise((resolve) => setImmediate(resolve));
  controller.abort(new Error('stop now'));
  const error = await t.throwsAsync(pending);
  t.is(error!.message, 'stop now');
  t.is(calls, 1);
  const before = new AbortController();
  before.abort();
  const reason: unknown = await client.poll({ signal: before.signal }).catch((e: unknown) => e);
  t.true(isAbortError(reason, before.signal));
});

const malformed: [string, string, RegExp][] = [
  ['malformed JSON', '{"config": nope}', /malformed or truncated JSON/],
  ['truncated JSON', '{"config": {"polling": {"sle', /malformed or truncated JSON/],
  ['an empty body', '', /empty body/],
];
for (const [what, body, message] of malformed) {
  test(`${what} is a DdiProtocolError`, async (t) => {
    const host = uniqueHost();
    server.use(http.get(baseOf(host), () => new HttpResponse(body, { headers: { 'content-type': 'application/json' } })));
    const error = await t.throwsAsync(clientFor(host).poll());
    t.true(isDdiProtocolError(error), String(error));
    t.regex(error!.message, message);
  });
}

test('an oversized body is refused as a DdiProtocolError', async (t) => {
  const host = uniqueHost();
  server.use(http.get(baseOf(host), () => HttpResponse.json({ ...controllerBase(), padding: 'x'.repeat(10_000) })));
  const error = await t.throwsAsync(clientFor(host, { maxBodyBytes: 2_000 }).poll());
  t.true(isDdiProtocolError(error), String(error));
  t.regex(error!.message, /larger than 2000 bytes/);
});

const wrongTypes: [string, unknown, string][] = [
  ['size as a string', { size: '12' }, 'deployment.chunks[0].artifacts[1].size'],
  ['filename missing', { filename: undefined }, 'deployment.chunks[0].artifacts[1].filename'],
  ['hash as a number', { hashes: { sha1: 5 } }, 'deployment.chunks[0].artifacts[1].hashes.sha1'],
  ['download href not a string', { _links: { download: { href: 7 } } }, 'deployment.chunks[0].artifacts[1]._links.download.href'],
];
for (const [what, override, field] of wrongTypes) {
  test(`wrong type in a deployment (${what}) names ${field}`, async (t) => {
    const host = uniqueHost();
    const base = baseOf(host);
    const artifact = { filename: 'b', size: 1, hashes: { sha1: 'x' }, ...(override as object) };
    server.use(
      http.get(base, () => HttpResponse.json(controllerBase({ deploymentBase: `${base}/deploymentBase/2` }))),
      http.get(`${base}/deploymentBase/2`, () => HttpResponse.json({
        id: '2', deployment: { download: 'forced', update: 'forced', chunks: [{ part: 'os', name: 'n', version: 'v', artifacts: [{ filename: 'a' }, artifact] }] },
      })),
    );
    const error = await t.throwsAsync((await clientFor(host).poll()).deployment!.fetch());
    t.true(isDdiProtocolError(error) && error.field === field, String(error));
    t.true(error!.message.startsWith(`${field}: expected`), error!.message);
  });
}

test('a bad polling sleep and a bad handling type name their fields', async (t) => {
  const host = uniqueHost();
  const base = baseOf(host);
  server.use(http.get(base, () => HttpResponse.json(controllerBase({}, '5 minutes'))));
  const sleep = await t.throwsAsync(clientFor(host).poll());
  t.true(isDdiProtocolError(sleep) && sleep.field === 'config.polling.sleep', String(sleep));
  const other = uniqueHost();
  const otherBase = baseOf(other);
  server.use(
    http.get(otherBase, () => HttpResponse.json(controllerBase({ deploymentBase: `${otherBase}/deploymentBase/2` }))),
    http.get(`${otherBase}/deploymentBase/2`, () => HttpResponse.json({ id: 2, deployment: { download: 'later', update: 'forced', chunks: [] } })),
  );
  const handling = await t.throwsAsync((await clientFor(other).poll()).deployment!.fetch());
  t.true(isDdiProtocolError(handling) && handling.field === 'deployment.download', String(handling));
});

test('tokens never appear in any log line, whatever happens', async (t) => {
  const host = uniqueHost();
  const base = baseOf(host);
  let polls = 0;
  server.use(
    http.get(base, () => (++polls === 1 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json(controllerBase({ deploymentBase: `${base}/deploymentBase/1` })))),
    http.get(`${base}/deploymentBase/1`, () => new HttpResponse(null, { status: 401 })),
  );
  const log = new RawLog();
  const client = clientFor(host, { log });
  const poll = await client.poll();
  await t.throwsAsync(poll.deployment!.fetch());
  const gateway = new DdiClient({ server: host, ssl: false, tenant: 'DEFAULT', controllerId: 'dev-1', auth: { kind: 'gateway-token', token: 'gw-zz-998877' }, log, retry: { retries: 0 } });
  await gateway.poll().catch(() => undefined);
  t.true(log.lines.length >= 4, log.lines.join('\n'));
  t.true(log.lines.some((line) => /GET \/DEFAULT\/controller\/v1\/dev-1 → 200/.test(line)));
  for (const line of log.lines) {
    t.false(line.includes(TOKEN), line);
    t.false(line.includes('gw-zz-998877'), line);
    t.false(/authorization/i.test(line), line);
  }
});
