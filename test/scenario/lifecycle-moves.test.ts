import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import type { PersistedState } from '../../src/agent/state.js';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

/**
 * The moves of the lifecycle table (src/agent/lifecycle.ts) that no other scenario makes: cancel while
 * waiting for a confirmation or for the maintenance window, a denial followed by the operator's
 * confirmation on the server, a second action asking while one is denied, and a reboot that did not
 * happen before a restart.
 */

const content = Buffer.from('bundle bytes '.repeat(5000));
const chunk = { name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content }] };
const installs = (h: AgentHarness) => h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length;
const persisted = (h: AgentHarness) => JSON.parse(readFileSync(join(h.config.stateDir, 'state.json'), 'utf8')) as PersistedState;
const polls = (h: AgentHarness) => h.hb.requests.filter((request) => request.path.endsWith('/device-1')).length;
/** The denial of `actionId` is persisted (the agent answers the server first, then persists: wait for the file, not the feedback). */
const deniedHere = (h: AgentHarness, actionId: string) => {
  if (!existsSync(join(h.config.stateDir, 'state.json'))) return false;
  const { phase } = persisted(h);
  return phase.kind === 'confirming' && phase.denied && phase.action.id === actionId;
};
const deny = { confirmation_policy: 'command', confirmation_command: "sh -c 'echo not now; exit 1'" };

test('cancel while waiting for a local confirmation (confirming): accepted, nothing fetched, idle', async (t) => {
  const h = await AgentHarness.start({ client: { confirmation_policy: 'manual' } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', confirmationRequired: true, chunks: [chunk] });
  await h.runUntil(() => h.logs.text.includes(`action ${actionId} awaits confirmation`));
  t.is(persisted(h).phase.kind, 'confirming');
  // hawkBit's action goes from WAIT_FOR_CONFIRMATION to CANCELING: the base offers cancelAction, no longer confirmationBase.
  h.target.action(actionId).awaitingConfirmation = false;
  h.target.cancel(actionId);
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'canceled');
  t.deepEqual(feedbackChain(h.target, actionId), ['cancel:closed/success']);
  t.regex(JSON.stringify(h.target.feedback.at(-1)!.body), /canceled in phase 'confirming', before the installation/);
  t.false(h.hb.requests.some((request) => request.path.includes('/artifacts/')));
  t.is(persisted(h).phase.kind, 'idle');
});

test('cancel while downloaded, waiting for the maintenance window: files deleted, accepted, nothing installed', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', maintenanceWindow: 'unavailable', chunks: [chunk] });
  await h.runUntil(() => feedbackChain(h.target, actionId).includes('scheduled/none'));
  t.is(persisted(h).phase.kind, 'downloaded');
  t.deepEqual(readdirSync(join(h.dir, 'downloads')), ['u.raucb']);
  h.target.cancel(actionId);
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'canceled');
  t.is(feedbackChain(h.target, actionId).at(-1), 'cancel:closed/success');
  t.regex(JSON.stringify(h.target.feedback.at(-1)!.body), /canceled in phase 'downloaded', before the installation; files removed/);
  t.deepEqual(readdirSync(join(h.dir, 'downloads')), []);
  t.is(installs(h), 0);
  t.is(persisted(h).phase.kind, 'idle');
});

test('denied on the device, then confirmed by the operator on the server: downloaded and installed (confirming → downloading)', async (t) => {
  const h = await AgentHarness.start({ client: deny });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', confirmationRequired: true, chunks: [chunk] });
  await h.runUntil(() => deniedHere(h, actionId));
  t.true(h.target.feedback.some((record) => record.kind === 'confirmation'));
  h.target.action(actionId).awaitingConfirmation = false;
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  // The agent was started again (a new run of the harness) with the denial persisted: `resumed` first.
  t.deepEqual(feedbackChain(h.target, actionId).slice(0, 3), ['confirmation:denied', 'resumed/none', 'download/none']);
  t.is(feedbackChain(h.target, actionId).at(-1), 'closed/success');
  t.is(installs(h), 1);
});

test('denied on the device, then an unusable deployment offered: reported from confirming (confirming → reporting)', async (t) => {
  const h = await AgentHarness.start({ client: deny });
  t.teardown(() => h.stop());
  const notes = { filename: 'NOTES.txt', content: Buffer.from('release notes') };
  const { actionId } = h.target.pushDeployment({ type: 'forced', confirmationRequired: true, chunks: [{ ...chunk, artifacts: [...chunk.artifacts, notes] }] });
  await h.runUntil(() => deniedHere(h, actionId));
  h.target.action(actionId).awaitingConfirmation = false;
  // The result is sent before the cleanup is persisted: wait for both, not for the server's record alone.
  await h.runUntil(() => h.target.action(actionId).status !== 'active' && persisted(h).phase.kind === 'idle');
  t.is(h.target.action(actionId).status, 'error');
  const status = (h.target.feedback.at(-1)!.body as { status: { code: number; details: string[] } }).status;
  t.is(status.code, 1004);
  t.regex(status.details[0]!, /'NOTES\.txt' of 'rootfs' 2\.0 is not a RAUC bundle/);
  t.false(h.hb.requests.some((request) => request.path.includes('/artifacts/')));
  t.is(persisted(h).phase.kind, 'idle');
});

test('one action denied, the server closes it and a second one asks: the second denial is remembered (confirming → confirming)', async (t) => {
  const h = await AgentHarness.start({ client: deny });
  t.teardown(() => h.stop());
  const first = h.target.pushDeployment({ type: 'forced', confirmationRequired: true, chunks: [chunk] }).actionId;
  await h.runUntil(() => deniedHere(h, first));
  // The operator force-quits the first action on the server (closed there without the device's answer).
  h.target.action(first).status = 'canceled';
  const second = h.target.pushDeployment({ type: 'forced', confirmationRequired: true, chunks: [{ ...chunk, version: '3.0' }] }).actionId;
  await h.runUntil(() => deniedHere(h, second));
  const before = polls(h);
  await h.runUntil(() => polls(h) >= before + 2);
  const denials = h.target.feedback.filter((record) => record.kind === 'confirmation');
  t.deepEqual(denials.map((record) => [record.actionId, (record.body as { confirmation: string }).confirmation]), [[first, 'denied'], [second, 'denied']]);
  t.like(persisted(h).phase, { kind: 'confirming', denied: true, action: { id: second } });
});

test('post_update_reboot: a restart before the reboot happened asks for it again, then verifies (rebootPending → rebootPending)', async (t) => {
  const h = await AgentHarness.start({ client: { post_update_reboot: 'true' }, fakeRauc: { bundle: { version: '2.0' } } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [chunk] });
  await h.runUntil(() => h.system.reboots.length > 0);
  t.is(persisted(h).phase.kind, 'rebootPending');
  // The service restarted (e.g. by systemd) but the machine did not reboot: same boot id.
  await h.runUntil(() => h.system.reboots.length > 1);
  t.regex(h.logs.text, new RegExp(`action ${actionId} was installed but the machine did not reboot yet; asking again`));
  t.like(persisted(h), { phase: { kind: 'rebootPending' }, visits: { rebootPending: 2 } });
  await h.reboot();
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.is(feedbackChain(h.target, actionId).at(-1), 'closed/success');
  t.is(installs(h), 1);
});
