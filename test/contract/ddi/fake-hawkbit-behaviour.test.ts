import { createHash } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { buildFeedback, DdiClient, isDdiHttpError, isDdiQuotaError } from '../../../src/ddi/index.js';
import { FakeHawkbit, type FakeHawkbitOptions } from '../../fakes/hawkbit/index.js';

const TOKEN = 'behaviour-token-55';

async function start(t: ExecutionContext, options: FakeHawkbitOptions = {}) {
  const hb = await FakeHawkbit.start(options);
  t.teardown(() => hb.close());
  const target = hb.addTarget('dev-9', { token: TOKEN });
  const client = new DdiClient({ server: hb.hostPort, ssl: false, tenant: hb.tenant, controllerId: 'dev-9', auth: { kind: 'target-token', token: TOKEN }, retry: { retries: 2, minDelayMs: 5, jitter: 0 } });
  return { hb, target, client };
}

async function artifactUrl(client: DdiClient): Promise<string> {
  const deployment = await (await client.poll()).deployment!.fetch();
  return deployment.chunks[0]!.artifacts[0]!.links.downloadHttp!;
}

test('artifacts: real hashes, Range (206/416), MD5SUM file, auth required', async (t) => {
  const { target, client } = await start(t);
  const content = Buffer.from('0123456789abcdef');
  target.pushDeployment({ chunks: [{ name: 'os', version: '1', artifacts: [{ filename: 'b.raucb', content, omitHashes: ['sha256'] }] }] });
  const deployment = await (await client.poll()).deployment!.fetch();
  const artifact = deployment.chunks[0]!.artifacts[0]!;
  t.deepEqual(artifact.hashes, { md5: createHash('md5').update(content).digest('hex'), sha1: createHash('sha1').update(content).digest('hex') });
  const url = artifact.links.downloadHttp!;
  const auth = { ...client.downloadHeaders() };
  const ranged = await fetch(url, { headers: { ...auth, range: 'bytes=10-' } });
  t.is(ranged.status, 206);
  t.is(ranged.headers.get('content-range'), 'bytes 10-15/16');
  t.is(await ranged.text(), 'abcdef');
  t.is((await fetch(url, { headers: { ...auth, range: 'bytes=99-' } })).status, 416);
  t.is(await (await fetch(artifact.links.md5sumHttp!, { headers: auth })).text(), `${artifact.hashes.md5}  b.raucb\n`);
  t.is((await fetch(url)).status, 401);
});

test('download faults: corrupted and interrupted bodies, servedContent', async (t) => {
  const { hb, target, client } = await start(t);
  const content = Buffer.from('good bytes');
  target.pushDeployment({ chunks: [{ name: 'os', version: '1', artifacts: [{ filename: 'a', content }] }] });
  const url = await artifactUrl(client);
  const headers = { ...client.downloadHeaders() };
  hb.corruptNextDownloads(1);
  const corrupted = Buffer.from(await (await fetch(url, { headers })).arrayBuffer());
  t.is(corrupted.length, content.length);
  t.notDeepEqual(corrupted, content);
  t.deepEqual(Buffer.from(await (await fetch(url, { headers })).arrayBuffer()), content);
  hb.interruptNextDownloads(1, 4);
  await t.throwsAsync(async () => Buffer.from(await (await fetch(url, { headers })).arrayBuffer()));
  const other = hb.addTarget('dev-10', { token: 'x-10-token' });
  other.pushDeployment({ chunks: [{ name: 'os', version: '1', artifacts: [{ filename: 'bad', content, servedContent: Buffer.from('evil bytes') }] }] });
  const otherClient = new DdiClient({ server: hb.hostPort, ssl: false, tenant: hb.tenant, controllerId: 'dev-10', auth: { kind: 'target-token', token: 'x-10-token' } });
  const bad = await artifactUrl(otherClient);
  t.is(await (await fetch(bad, { headers: { ...otherClient.downloadHeaders() } })).text(), 'evil bytes');
});

test('failNext with Retry-After is retried by the client; setPollingSleep changes the sleep', async (t) => {
  const { hb, client } = await start(t, { pollingSleep: '00:00:10' });
  hb.failNext(1, 503, { retryAfter: 0 });
  t.is((await client.poll()).sleepMs, 10_000);
  t.deepEqual(hb.requests.map((r) => r.path), ['/DEFAULT/controller/v1/dev-9', '/DEFAULT/controller/v1/dev-9']);
  hb.setPollingSleep('00:01:00');
  t.is((await client.poll()).sleepMs, 60_000);
  hb.failNext(5, 400, { match: /feedback$/ });
  t.is((await client.poll()).sleepMs, 60_000, 'a matcher limits the fault to matching paths');
});

test('quota: too many status entries gives DdiQuotaError (429, or 403 for old servers); closed is always accepted', async (t) => {
  for (const quotaStatus of [429, 403] as const) {
    const { target, client } = await start(t, { maxStatusEntries: 1, quotaStatus });
    const { actionId } = target.pushDeployment({ chunks: [{ name: 'os', version: '1', artifacts: [] }] });
    const deployment = (await client.poll()).deployment!;
    await deployment.feedback(buildFeedback('proceeding', 'none'));
    const error = await t.throwsAsync(deployment.feedback(buildFeedback('proceeding', 'none')));
    t.true(isDdiQuotaError(error) && error.status === quotaStatus, String(error));
    await deployment.feedback(buildFeedback('closed', 'failure', { code: 2001 }));
    t.is(target.action(actionId).status, 'error');
  }
});

test('configData modes and the 100-attribute quota; delayNext delays without failing', async (t) => {
  const { hb, target, client } = await start(t);
  const configData = (await client.poll()).configData!;
  await configData.send({ a: '1', b: '2' });
  await configData.send({ c: '3' }, 'merge');
  await configData.send({ a: '' }, 'remove');
  t.deepEqual(target.attributes, { b: '2', c: '3' });
  await configData.send({ only: 'x' }, 'replace');
  t.deepEqual(target.attributes, { only: 'x' });
  target.requestAttributes();
  hb.delayNext(50);
  t.truthy((await client.poll()).configData);
  const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, 'v']));
  await configData.send(many);
  const error = await t.throwsAsync(configData.send(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`m${i}`, 'v']))));
  t.true(isDdiQuotaError(error), String(error));
  hb.failNext(1, 400);
  t.true(isDdiHttpError(await t.throwsAsync(configData.send({ x: 'y' }))));
});
