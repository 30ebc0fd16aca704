import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { AgentHarness, feedbackChain, TOKEN } from '../helpers/agent-harness.js';

const bundle = Buffer.from('a RAUC bundle, as far as the test service cares '.repeat(2000));
const sha256 = createHash('sha256').update(bundle).digest('hex');

test('forced update: download, verify, install through RAUC, report closed/success; files cleaned', async (t) => {
  const h = await AgentHarness.start({ fakeRauc: { bundle: { version: '2.0' } } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ part: 'os', name: 'rootfs', version: '2.0', artifacts: [{ filename: 'update-2.0.raucb', content: bundle }] }] });

  // The server has the result a moment before the agent has cleaned up: wait for both.
  await h.runUntil(() => h.target.action(actionId).status !== 'active' && readdirSync(join(h.dir, 'downloads')).length === 0);

  t.is(h.target.action(actionId).status, 'finished');
  const chain = feedbackChain(h.target, actionId);
  t.is(chain[0], 'download/none');
  t.true(chain.includes('downloaded/success'));
  t.true(chain.includes('proceeding/none'));
  t.is(chain.at(-1), 'closed/success');
  t.is(chain.filter((entry) => entry.startsWith('closed/')).length, 1);
  const installs = h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle');
  t.is(installs.length, 1);
  t.is(installs[0]!.received?.sha256, sha256, 'RAUC got exactly the bytes the server sent');
  t.true(installs[0]!.source!.startsWith(join(h.dir, 'downloads')));
  t.deepEqual(readdirSync(join(h.dir, 'downloads')), [], 'bundle and partial files removed');
  const final = h.target.feedback.at(-1)!.body as { status: { details: string[] } };
  t.regex(final.status.details.join(' '), /Installed rootfs 2\.0 to rootfs\.1/);
  t.false(h.logs.text.includes(TOKEN), 'no token in the logs');
});

test('attributes: [device] plus RAUC facts sent at start', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  await h.runUntil(() => Object.keys(h.target.attributes).length > 0);
  t.like(h.target.attributes, { product: 'Scenario Board', serial: '42', rauc_compatible: 'Test Device', rauc_booted_slot: 'rootfs.0' });
});

test('idle polls do not ask RAUC again; after an update the attributes are collected again', async (t) => {
  const h = await AgentHarness.start({ fakeRauc: { bundle: { version: '2.0' } } });
  t.teardown(() => h.stop());
  const polls = () => h.hb.requests.filter((request) => request.path.endsWith('/device-1')).length;
  await h.runUntil(() => polls() >= 4);
  t.is(h.fakeRauc!.calls.filter((call) => call.method === 'GetSlotStatus').length, 1, 'slot status read once, at start');
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content: bundle }] }] });
  const slotReads = () => h.fakeRauc!.calls.filter((call) => call.method === 'GetSlotStatus').length;
  const before = slotReads();
  await h.runUntil(() => h.target.action(actionId).status !== 'active' && slotReads() > before);
  t.is(h.target.action(actionId).status, 'finished');
});

test('run once with nothing to do exits cleanly; with an action carries it to its end', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  t.deepEqual(await h.runOnce(), { actionId: undefined, end: undefined });
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content: bundle }] }] });
  const result = await h.runOnce();
  t.is(result.actionId, actionId);
  t.like(result.end, { end: 'finished', outcome: { result: 'success' } });
  t.is(h.target.action(actionId).status, 'finished');
  t.false(existsSync(join(h.dir, 'downloads', 'u.raucb')));
});
