import test, { type ExecutionContext } from 'ava';
import { http, HttpResponse } from 'msw';
import { buildFeedback, isDdiActionClosedError, isDdiHttpError, isDdiProtocolError, isDdiQuotaError } from '../../../src/ddi/index.js';
import { baseOf, clientFor, controllerBase, RawLog, uniqueHost, useMsw } from './msw-harness.js';

const server = useMsw(test);

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
/** Screen clear, cursor home, a terminal title change, a carriage return, a bidi override. */
const HOSTILE = '\x1b[2J\x1b[H\x1b]0;owned\x07\r\u202e';

function assertClean(t: ExecutionContext, texts: readonly string[]): void {
  t.true(texts.length > 0);
  for (const text of texts) t.false(UNSAFE.test(text), JSON.stringify(text));
}

test('an error code with escape sequences: the error, its errorCode and the retry log lines are clean', async (t) => {
  const host = uniqueHost();
  let calls = 0;
  server.use(http.get(baseOf(host), () => (++calls <= 2
    ? HttpResponse.json({ errorCode: `boom${HOSTILE}`, message: HOSTILE }, { status: 503 })
    : HttpResponse.json({ errorCode: `hawkbit.server.error.quota.tooManyEntries${HOSTILE}` }, { status: 429 }))));
  const log = new RawLog();
  const client = clientFor(host, { log, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5, jitter: 0, maxElapsedMs: 10_000 } });
  const http503 = await t.throwsAsync(client.poll());
  t.true(isDdiHttpError(http503) && http503.status === 503, String(http503));
  t.regex(http503!.message, /boom/);
  const quota = await t.throwsAsync(client.poll());
  t.true(isDdiQuotaError(quota), String(quota));
  assertClean(t, [http503!.message, quota!.message, isDdiQuotaError(quota) ? quota.errorCode : '', ...log.lines]);
  t.true(log.lines.some((line) => /retry 1/.test(line)));
});

test('an action id with escape sequences (percent-encoded in the href): the 410 error message is clean', async (t) => {
  const host = uniqueHost();
  const base = baseOf(host);
  const id = encodeURIComponent(`7${HOSTILE}`);
  server.use(
    http.get(base, () => HttpResponse.json(controllerBase({ deploymentBase: `${base}/deploymentBase/${id}?c=1` }))),
    http.post(`${base}/deploymentBase/:id/feedback`, () => new HttpResponse(null, { status: 410 })),
  );
  const deployment = (await clientFor(host).poll()).deployment!;
  t.is(deployment.actionId, `7${HOSTILE}`, 'the id itself is kept as the server sent it');
  const error = await t.throwsAsync(deployment.feedback(buildFeedback('proceeding', 'none')));
  t.true(isDdiActionClosedError(error), String(error));
  assertClean(t, [error!.message]);
});

test('malformed JSON and a bad href quoting escape sequences: DdiProtocolError messages are clean', async (t) => {
  const badJson = uniqueHost();
  server.use(http.get(baseOf(badJson), () => new HttpResponse(`{"config": ${HOSTILE}}`, { headers: { 'content-type': 'application/json' } })));
  const parse = await t.throwsAsync(clientFor(badJson).poll());
  t.true(isDdiProtocolError(parse), String(parse));
  const badHref = uniqueHost();
  server.use(http.get(baseOf(badHref), () => HttpResponse.json(controllerBase({ deploymentBase: `http://x.test/elsewhere${HOSTILE}` }))));
  const href = await t.throwsAsync(clientFor(badHref).poll());
  t.true(isDdiProtocolError(href), String(href));
  t.regex(href!.message, /expected a link to deploymentBase/);
  assertClean(t, [parse!.message, href!.message]);
});

test('a very long server string is capped in error messages', async (t) => {
  const host = uniqueHost();
  server.use(http.get(baseOf(host), () => HttpResponse.json(controllerBase({ deploymentBase: `http://x.test/${'a'.repeat(100_000)}` }))));
  const error = await t.throwsAsync(clientFor(host).poll());
  t.true(isDdiProtocolError(error), String(error));
  t.true(error!.message.length <= 2000, String(error!.message.length));
  t.regex(error!.message, /more characters\]$/);
});
