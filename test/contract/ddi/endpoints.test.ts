import test from 'ava';
import { http, HttpResponse } from 'msw';
import { buildFeedback, EXECUTIONS, FINISHED, isDdiProtocolError } from '../../../src/ddi/index.js';
import { baseOf, clientFor, controllerBase, TOKEN, uniqueHost, useMsw } from './msw-harness.js';

const server = useMsw(test);

const deploymentJson = (id: string) => ({
  id,
  deployment: {
    download: 'attempt',
    update: 'forced',
    maintenanceWindow: 'available',
    chunks: [
      {
        part: 'os', version: '1.0', name: 'fw', encrypted: false, unknownField: { ignored: true },
        metadata: [{ key: 'rauc', value: 'yes' }],
        artifacts: [
          { filename: 'a.raucb', size: 11, hashes: { sha1: 's1', md5: 'm5', sha256: 's256' }, _links: { download: { href: 'https://cdn/a' }, 'download-http': { href: 'http://cdn/a' }, md5sum: { href: 'https://cdn/a.MD5SUM' } } },
          { filename: 'old.raucb', hashes: { sha1: 's1', md5: 'm5' }, _links: { 'download-http': { href: 'http://cdn/old' } } },
        ],
      },
    ],
  },
  actionHistory: { status: 'RUNNING', messages: ['m1'] },
});

test('poll sends Accept, User-Agent, TargetToken; handles follow each href exactly', async (t) => {
  const host = uniqueHost();
  const base = baseOf(host);
  const seen: Record<string, string | null>[] = [];
  server.use(
    http.get(base, ({ request }) => {
      seen.push({ accept: request.headers.get('accept'), ua: request.headers.get('user-agent'), auth: request.headers.get('authorization') });
      return HttpResponse.json(controllerBase({
        deploymentBase: `${base}/deploymentBase/17?c=-2127183556`,
        installedBase: `${base}/installedBase/16`,
        configData: `${base}/configData`,
      }), { headers: { 'content-type': 'application/hal+json' } });
    }),
    http.get(`${base}/deploymentBase/17`, ({ request }) => {
      const url = new URL(request.url);
      t.is(url.searchParams.get('c'), '-2127183556');
      t.is(url.searchParams.get('actionHistory'), '3');
      return HttpResponse.json(deploymentJson('17'));
    }),
    http.get(`${base}/installedBase/16`, () => HttpResponse.json(deploymentJson('16'))),
  );
  const client = clientFor(host, { userAgent: 'hawkbit-rauc/9.9.9' });
  const result = await client.poll();
  t.deepEqual(seen, [{ accept: 'application/hal+json, application/json', ua: 'hawkbit-rauc/9.9.9', auth: `TargetToken ${TOKEN}` }]);
  t.is(result.sleepMs, 60_000);
  t.is(result.deployment!.actionId, '17');
  t.is(result.deployment!.href, `${base}/deploymentBase/17?c=-2127183556`);
  t.is(result.installed!.actionId, '16');
  t.is(result.cancel, undefined);
  t.is(result.confirmation, undefined);
  const deployment = await result.deployment!.fetch({ actionHistory: 3 });
  t.deepEqual(deployment, {
    id: '17', download: 'attempt', update: 'forced', maintenanceWindow: 'available',
    actionHistory: { status: 'RUNNING', messages: ['m1'] },
    chunks: [{
      part: 'os', name: 'fw', version: '1.0', encrypted: false, metadata: [{ key: 'rauc', value: 'yes' }],
      artifacts: [
        { filename: 'a.raucb', size: 11, hashes: { md5: 'm5', sha1: 's1', sha256: 's256' }, links: { download: 'https://cdn/a', downloadHttp: 'http://cdn/a', md5sum: 'https://cdn/a.MD5SUM' } },
        { filename: 'old.raucb', size: undefined, hashes: { md5: 'm5', sha1: 's1' }, links: { downloadHttp: 'http://cdn/old' } },
      ],
    }],
  });
  t.is((await result.installed!.fetch()).id, '16');
});

test('gateway token and client-certificate auth headers', async (t) => {
  const host = uniqueHost();
  const auths: (string | null)[] = [];
  server.use(http.get(baseOf(host), ({ request }) => {
    auths.push(request.headers.get('authorization'));
    return HttpResponse.json(controllerBase());
  }));
  await clientFor(host, { auth: { kind: 'gateway-token', token: 'gw-1234' } }).poll();
  await clientFor(host, { auth: { kind: 'client-certificate' } }).poll();
  t.deepEqual(auths, ['GatewayToken gw-1234', null]);
  t.deepEqual(clientFor(host, { auth: { kind: 'client-certificate' } }).downloadHeaders(), {});
  t.deepEqual(clientFor(host).downloadHeaders(), { Authorization: `TargetToken ${TOKEN}` });
  t.deepEqual(clientFor(host, { sendDownloadAuthentication: false }).downloadHeaders(), {});
});

test('ETag: If-None-Match is sent and 304 returns the previous handles', async (t) => {
  const host = uniqueHost();
  const base = baseOf(host);
  const conditions: (string | null)[] = [];
  server.use(http.get(base, ({ request }) => {
    conditions.push(request.headers.get('if-none-match'));
    if (request.headers.get('if-none-match') === '"0abc"') return new HttpResponse(null, { status: 304 });
    return HttpResponse.json(controllerBase({ cancelAction: `${base}/cancelAction/5` }, '00:00:10'), { headers: { etag: '"0abc"' } });
  }));
  const client = clientFor(host);
  const first = await client.poll();
  const second = await client.poll();
  t.deepEqual(conditions, [null, '"0abc"']);
  t.false(first.notModified);
  t.true(second.notModified);
  t.is(second.cancel, first.cancel);
  t.is(second.sleepMs, 10_000);
});

test('cancelAction fetch and feedback; configData PUT with mode; confirmation endpoints', async (t) => {
  const host = uniqueHost();
  const base = baseOf(host);
  const bodies: [string, unknown][] = [];
  const record = (name: string) => async ({ request }: { request: Request }) => {
    bodies.push([name, await request.json().catch(() => null)]);
    return new HttpResponse(null, { status: 200 });
  };
  server.use(
    http.get(base, () => HttpResponse.json(controllerBase({
      cancelAction: `${base}/cancelAction/9`, configData: `${base}/configData`, confirmationBase: `${base}/confirmationBase/9?c=12`,
    }))),
    http.get(`${base}/cancelAction/9`, () => HttpResponse.json({ id: '9', cancelAction: { stopId: '8' } })),
    http.post(`${base}/cancelAction/9/feedback`, record('cancel')),
    http.put(`${base}/configData`, record('configData')),
    http.get(`${base}/confirmationBase/9`, () => HttpResponse.json({ id: '9', confirmation: deploymentJson('9').deployment })),
    http.post(`${base}/confirmationBase/9/feedback`, record('confirmation')),
    http.get(`${base}/confirmationBase`, () => HttpResponse.json({ autoConfirm: { active: true, initiator: 'ops', remark: 'r', activatedAt: 1691065895439 }, _links: {} })),
    http.post(`${base}/confirmationBase/activateAutoConfirm`, record('activate')),
    http.post(`${base}/confirmationBase/deactivateAutoConfirm`, record('deactivate')),
  );
  const client = clientFor(host);
  const poll = await client.poll();
  t.deepEqual(await poll.cancel!.fetch(), { id: '9', stopId: '8' });
  await poll.cancel!.feedback(buildFeedback('rejected', 'none', { details: ['installing already'] }));
  await poll.configData!.send({ hw: '2' }, 'replace');
  t.is((await poll.confirmation!.fetch()).id, '9');
  await poll.confirmation!.respond('confirmed', { code: 7, details: ['ok'] });
  t.deepEqual(await client.autoConfirmState(), { active: true, initiator: 'ops', remark: 'r', activatedAt: 1691065895439 });
  await client.activateAutoConfirm({ initiator: 'dev', remark: 'policy' });
  await client.deactivateAutoConfirm();
  t.deepEqual(bodies, [
    ['cancel', { id: '9', status: { execution: 'rejected', result: { finished: 'none' }, details: ['installing already'] } }],
    ['configData', { mode: 'replace', data: { hw: '2' }, status: { execution: 'closed', result: { finished: 'success' } } }],
    ['confirmation', { confirmation: 'confirmed', code: 7, details: ['ok'] }],
    ['activate', { initiator: 'dev', remark: 'policy' }],
    ['deactivate', null],
  ]);
});

test('feedback JSON is exactly what hawkBit expects, for every execution × finished pair', async (t) => {
  const host = uniqueHost();
  const base = baseOf(host);
  const bodies: unknown[] = [];
  server.use(
    http.get(base, () => HttpResponse.json(controllerBase({ deploymentBase: `${base}/deploymentBase/3?c=1` }))),
    http.post(`${base}/deploymentBase/3/feedback`, async ({ request }) => {
      t.is(request.headers.get('content-type'), 'application/json');
      bodies.push(await request.json());
      return new HttpResponse(null, { status: 200 });
    }),
  );
  const deployment = (await clientFor(host).poll()).deployment!;
  const expected: unknown[] = [];
  for (const execution of EXECUTIONS) {
    for (const finished of FINISHED) {
      await deployment.feedback(buildFeedback(execution, finished, { details: [`${execution}/${finished}`] }));
      expected.push({ id: '3', status: { execution, result: { finished }, details: [`${execution}/${finished}`] } });
    }
  }
  await deployment.feedback(buildFeedback('download', 'none', { progress: { cnt: 40, of: 100 }, code: 0 }));
  expected.push({ id: '3', status: { execution: 'download', result: { finished: 'none', progress: { cnt: 40, of: 100 } }, code: 0, details: [] } });
  t.deepEqual(bodies, expected);
});

test('feedback carries timestamp only when the clock is declared synchronised', async (t) => {
  const host = uniqueHost();
  const base = baseOf(host);
  const bodies: Record<string, unknown>[] = [];
  server.use(
    http.get(base, () => HttpResponse.json(controllerBase({ deploymentBase: `${base}/deploymentBase/4` }))),
    http.post(`${base}/deploymentBase/4/feedback`, async ({ request }) => {
      bodies.push((await request.json()) as Record<string, unknown>);
      return new HttpResponse(null, { status: 200 });
    }),
  );
  await (await clientFor(host).poll()).deployment!.feedback(buildFeedback('resumed', 'none'));
  await (await clientFor(host, { timestamp: () => 1_700_000_000_000 }).poll()).deployment!.feedback(buildFeedback('resumed', 'none'));
  t.false('timestamp' in bodies[0]!);
  t.is(bodies[1]!.timestamp, 1_700_000_000_000);
});

test('attributes over the server limits are refused before sending, naming the attribute', async (t) => {
  const host = uniqueHost();
  const base = baseOf(host);
  server.use(http.get(base, () => HttpResponse.json(controllerBase({ configData: `${base}/configData` }))));
  const configData = (await clientFor(host).poll()).configData!;
  const error = await t.throwsAsync(configData.send({ ok: 'x', serial: 'y'.repeat(129) }));
  t.true(isDdiProtocolError(error));
  t.regex(error!.message, /"serial".*129 characters/);
});
