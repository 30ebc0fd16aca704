import test from 'ava';
import { AgentHarness, feedbackChain, type HarnessOptions } from '../helpers/agent-harness.js';

/**
 * Compatible before the download: the chunk's metadata names the bundle's compatible under
 * compatible_metadata_key (default `rauc.compatible`); a mismatch with RAUC's Compatible (the test
 * service's 'Test Device') is refused before any artifact request, code 2003, naming both sides.
 */

const content = Buffer.from('bundle bytes '.repeat(5000));
const deployment = (metadata: { key: string; value: string }[]) => ({
  type: 'forced' as const,
  chunks: [{ part: 'os', name: 'rootfs', version: '2.0', metadata, artifacts: [{ filename: 'u.raucb', content }] }],
});

async function start(t: { teardown(fn: () => Promise<void>): void }, options: HarnessOptions = {}): Promise<AgentHarness> {
  const h = await AgentHarness.start(options);
  t.teardown(() => h.stop());
  return h;
}

const artifactRequests = (h: AgentHarness) => h.hb.requests.filter((request) => request.path.includes('/artifacts/'));
const finalStatus = (h: AgentHarness) => (h.target.feedback.at(-1)!.body as { status: { execution: string; code?: number; details: string[] } }).status;

test('metadata rauc.compatible names another device: closed/failure code 2003 received, no artifact requested, RAUC never asked about a bundle', async (t) => {
  const h = await start(t);
  const { actionId } = h.target.pushDeployment(deployment([{ key: 'rauc.compatible', value: 'Other Device' }]));
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  t.deepEqual(feedbackChain(h.target, actionId), ['closed/failure']);
  t.deepEqual(artifactRequests(h), [], 'no artifact request');
  const status = finalStatus(h);
  t.is(status.code, 2003, JSON.stringify(status));
  t.is(status.details[0], "Incompatible bundle, nothing downloaded: u.raucb (rootfs 2.0) is for 'Other Device' (chunk metadata 'rauc.compatible'), but this device is 'Test Device' (RAUC's compatible)");
  t.is(h.fakeRauc!.calls.filter((call) => call.method === 'Info' || call.method === 'InstallBundle').length, 0);
});

test('matching metadata: downloaded and installed, the check named in the received feedback', async (t) => {
  const h = await start(t);
  const { actionId } = h.target.pushDeployment(deployment([{ key: 'rauc.compatible', value: 'Test Device' }]));
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  const details = h.target.feedback.filter((f) => f.actionId === actionId).flatMap((f) => (f.body as { status: { details: string[] } }).status.details);
  t.true(details.includes("Policy: u.raucb: compatible 'Test Device' (chunk metadata 'rauc.compatible') is this device's; downloading"), details.join('\n'));
  t.true(artifactRequests(h).length > 0);
});

test('a configured compatible_metadata_key is read; metadata under another key leaves the check to after the download', async (t) => {
  const h = await start(t, { client: { compatible_metadata_key: 'board' } });
  const refused = h.target.pushDeployment(deployment([{ key: 'board', value: 'Other Device' }]));
  await h.runUntil(() => h.target.action(refused.actionId).status !== 'active');
  t.is(finalStatus(h).code, 2003);
  t.deepEqual(artifactRequests(h), [], 'no artifact request');

  const later = h.target.pushDeployment(deployment([{ key: 'rauc.compatible', value: 'Other Device' }]));
  await h.runUntil(() => h.target.action(later.actionId).status !== 'active');
  t.is(h.target.action(later.actionId).status, 'finished', 'not this key: RAUC\'s check after the download decides (it matches)');
  t.true(artifactRequests(h).length > 0);
});
