import { createHash } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { buildFeedback, DdiClient, isDdiActionClosedError, isDdiAuthError, isDdiNotFoundError, STATUS_CODES, type DdiClientOptions } from '../../../src/ddi/index.js';
import { createTransport } from '../../../src/net/index.js';
import { FakeHawkbit } from '../../fakes/hawkbit/index.js';

const TOKEN = 'fake-target-token-7c1d';
const FAST = { retries: 2, minDelayMs: 10, maxDelayMs: 50, jitter: 0 } as const;

async function setup(t: ExecutionContext, options: Partial<DdiClientOptions> = {}) {
  const hb = await FakeHawkbit.start({ pollingSleep: '00:00:30', gatewayToken: 'gw-key-19ab' });
  const transport = createTransport({ env: {} });
  t.teardown(async () => {
    transport.destroy();
    await hb.close();
  });
  const target = hb.addTarget('dev-1', { token: TOKEN });
  const client = new DdiClient({
    server: hb.hostPort, ssl: false, tenant: hb.tenant, controllerId: 'dev-1',
    auth: { kind: 'target-token', token: TOKEN }, transport, retry: FAST, ...options,
  });
  return { hb, target, client };
}

test('full update flow: poll → fetch → download link → feedback → closed', async (t) => {
  const { hb, target, client } = await setup(t);
  const content = Buffer.from('rauc bundle bytes');
  const { actionId } = target.pushDeployment({ chunks: [{ name: 'os', version: '1.2.3', metadata: [{ key: 'k', value: 'v' }], artifacts: [{ filename: 'update.raucb', content }] }] });

  const first = await client.poll();
  t.is(first.sleepMs, 30_000);
  t.truthy(first.configData, 'a new target is asked for its attributes');
  await first.configData!.send({ hw: 'rev2', serial: 'A1' });
  t.deepEqual(target.attributes, { hw: 'rev2', serial: 'A1' });

  const deployment = first.deployment!;
  t.is(deployment.actionId, actionId);
  t.regex(deployment.href, /\?c=-?\d+$/);
  const fetched = await deployment.fetch();
  t.is(fetched.id, actionId);
  t.is(fetched.download, 'forced');
  t.is(fetched.update, 'forced');
  const artifact = fetched.chunks[0]!.artifacts[0]!;
  t.is(artifact.size, content.length);
  t.is(artifact.hashes.sha256, createHash('sha256').update(content).digest('hex'));
  t.deepEqual(fetched.chunks[0]!.metadata, [{ key: 'k', value: 'v' }]);

  const link = artifact.links.download ?? artifact.links.downloadHttp!;
  const response = await fetch(link, { headers: { ...client.downloadHeaders() } });
  t.is(response.status, 200);
  t.deepEqual(Buffer.from(await response.arrayBuffer()), content);

  await deployment.feedback(buildFeedback('proceeding', 'none', { progress: { cnt: 50, of: 100 }, details: ['installing'] }));
  await deployment.feedback(buildFeedback('closed', 'success', { code: STATUS_CODES.SUCCESS, details: ['installed 1.2.3'] }));
  t.is(target.action(actionId).status, 'finished');
  t.deepEqual(target.feedback.map((f) => f.kind), ['deployment', 'deployment']);
  t.deepEqual(target.feedback[1]!.body, { id: actionId, status: { execution: 'closed', result: { finished: 'success' }, code: 200, details: ['installed 1.2.3'] } });

  const after = await client.poll();
  t.is(after.deployment, undefined);
  t.is(after.installed?.actionId, actionId);
  t.is((await after.installed!.fetch()).id, actionId);
  const closed = await t.throwsAsync(deployment.feedback(buildFeedback('proceeding', 'none')));
  t.true(isDdiActionClosedError(closed), String(closed));
  const api = hb.requests.filter((r) => !r.path.includes('/softwaremodules/'));
  t.true(api.every((r) => r.auth === 'TargetToken' && r.authAccepted && r.headers['user-agent']?.startsWith('hawkbit-rauc/')));
  t.true(api.every((r) => r.headers.accept === 'application/hal+json, application/json'));
});

test('cancel flow: the base offers cancelAction, closed+success closes the action as canceled', async (t) => {
  const { target, client } = await setup(t);
  const { actionId } = target.pushDeployment({ type: 'soft', chunks: [{ name: 'os', version: '2', artifacts: [{ filename: 'b.raucb', content: Buffer.from('x') }] }] });
  const offered = await client.poll();
  t.is((await offered.deployment!.fetch()).download, 'attempt');
  target.cancel(actionId);
  const polled = await client.poll();
  t.is(polled.deployment, undefined);
  t.is(polled.cancel?.actionId, actionId);
  t.deepEqual(await polled.cancel!.fetch(), { id: actionId, stopId: actionId });
  const gone = await t.throwsAsync(offered.deployment!.fetch());
  t.true(isDdiNotFoundError(gone), String(gone));
  await polled.cancel!.feedback(buildFeedback('closed', 'success', { details: ['canceled before installing'] }));
  t.is(target.action(actionId).status, 'canceled');
  t.is((await client.poll()).cancel, undefined);
});

test('confirmation flow: deploymentBase is 404 until confirmed; denied keeps it waiting', async (t) => {
  const { target, client } = await setup(t);
  const { actionId } = target.pushDeployment({ confirmationRequired: true, chunks: [{ name: 'os', version: '3', artifacts: [] }] });
  const polled = await client.poll();
  t.is(polled.deployment, undefined);
  const confirmation = polled.confirmation!;
  t.is(confirmation.actionId, actionId);
  t.is((await confirmation.fetch({ actionHistory: 5 })).chunks[0]!.version, '3');
  t.deepEqual(await client.autoConfirmState(), { active: false, initiator: undefined, remark: undefined, activatedAt: undefined });
  await confirmation.respond('denied', { code: STATUS_CODES.CONFIRMATION_DENIED, details: ['user said no'] });
  t.truthy((await client.poll()).confirmation);
  await confirmation.respond('confirmed', { details: ['policy: auto'] });
  const next = await client.poll();
  t.is(next.deployment?.actionId, actionId);
  t.deepEqual(target.feedback.map((f) => f.body), [
    { confirmation: 'denied', code: 3002, details: ['user said no'] },
    { confirmation: 'confirmed', details: ['policy: auto'] },
  ]);
  const late = await t.throwsAsync(confirmation.respond('confirmed'));
  t.true(isDdiNotFoundError(late), String(late));
});

test('auto-confirm: activate confirms waiting actions, deactivate turns it off', async (t) => {
  const { target, client } = await setup(t);
  target.pushDeployment({ confirmationRequired: true, chunks: [{ name: 'os', version: '4', artifacts: [] }] });
  await client.activateAutoConfirm({ initiator: 'device', remark: 'always' });
  const state = await client.autoConfirmState();
  t.true(state.active);
  t.is(state.initiator, 'device');
  t.truthy((await client.poll()).deployment);
  await client.deactivateAutoConfirm();
  t.false((await client.autoConfirmState()).active);
});

test('download-only: downloaded+success finishes the action; update is skip', async (t) => {
  const { target, client } = await setup(t);
  const { actionId } = target.pushDeployment({ type: 'downloadonly', chunks: [{ name: 'os', version: '5', artifacts: [{ filename: 'a', content: Buffer.from('a') }] }] });
  const deployment = (await client.poll()).deployment!;
  const fetched = await deployment.fetch();
  t.deepEqual([fetched.download, fetched.update], ['forced', 'skip']);
  await deployment.feedback(buildFeedback('downloaded', 'success'));
  t.is(target.action(actionId).status, 'finished');
});

test('maintenance window: update is skip until the window opens, and the c parameter changes', async (t) => {
  const { target, client } = await setup(t);
  const { actionId } = target.pushDeployment({ maintenanceWindow: 'unavailable', chunks: [{ name: 'os', version: '6', artifacts: [] }] });
  const before = (await client.poll()).deployment!;
  t.deepEqual([(await before.fetch()).update, (await before.fetch()).maintenanceWindow], ['skip', 'unavailable']);
  target.setMaintenanceWindow(actionId, 'available');
  const after = await client.poll();
  t.false(after.notModified);
  t.not(after.deployment!.href, before.href);
  t.is((await after.deployment!.fetch()).update, 'forced');
});

test('ETag: an unchanged base gives 304 and the previous handles', async (t) => {
  const { hb, target, client } = await setup(t);
  target.pushDeployment({ chunks: [{ name: 'os', version: '7', artifacts: [] }] });
  const first = await client.poll();
  const second = await client.poll();
  t.true(second.notModified);
  t.is(second.deployment, first.deployment);
  t.regex(hb.requests.at(-1)!.headers['if-none-match'] ?? '', /^"0[0-9a-f]{32}"$/);
});

test('gateway token and a wrong target token', async (t) => {
  const { hb } = await setup(t);
  const gateway = new DdiClient({ server: hb.hostPort, ssl: false, tenant: hb.tenant, controllerId: 'dev-1', auth: { kind: 'gateway-token', token: 'gw-key-19ab' }, retry: FAST });
  t.is((await gateway.poll()).sleepMs, 30_000);
  t.is(hb.requests.at(-1)!.auth, 'GatewayToken');
  const wrong = new DdiClient({ server: hb.hostPort, ssl: false, tenant: hb.tenant, controllerId: 'dev-1', auth: { kind: 'target-token', token: 'nope-nope' }, retry: FAST });
  const error = await t.throwsAsync(wrong.poll());
  t.true(isDdiAuthError(error));
  t.regex(error!.message, /check auth_token/);
  t.false(error!.message.includes('nope-nope'));
});
