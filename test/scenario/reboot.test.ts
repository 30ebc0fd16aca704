import test from 'ava';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

const content = Buffer.from('bundle bytes '.repeat(5000));
const deployment = { type: 'forced' as const, chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content }] }] };

test('post_update_reboot: "rebooting" reported, success only after booting the new slot, which is marked good', async (t) => {
  const h = await AgentHarness.start({ client: { post_update_reboot: 'true' }, fakeRauc: { bundle: { version: '2.0' } } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  await h.runUntil(() => h.system.reboots.length > 0);
  t.is(h.target.action(actionId).status, 'active', 'no result before the reboot');
  t.regex(JSON.stringify(h.target.feedback.at(-1)!.body), /Installed rootfs 2\.0 to rootfs\.1; rebooting/);

  await h.reboot();
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  const chain = feedbackChain(h.target, actionId);
  t.deepEqual(chain.slice(-2), ['resumed/none', 'closed/success']);
  t.regex(JSON.stringify(h.target.feedback.at(-1)!.body), /rebooted into rootfs\.1 \(B\) running 2\.0 and marked it good/);
  t.true(h.fakeRauc!.calls.some((call) => call.method === 'Mark' && call.state === 'good' && call.slot === 'booted'));
  t.is(h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length, 1);
});

test('rollback: the old slot booted after the reboot → closed/failure "rolled back" (code 2002)', async (t) => {
  const h = await AgentHarness.start({ client: { post_update_reboot: 'true' } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  await h.runUntil(() => h.system.reboots.length > 0);
  await h.rebootIntoOldSlot();
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  const status = (h.target.feedback.at(-1)!.body as { status: { code: number; details: string[] } }).status;
  t.is(status.code, 2002);
  t.regex(status.details[0]!, /rolled back: booted rootfs\.0 \(A\), but rootfs 2\.0 was installed to rootfs\.1/);
});

test('verify_after_reboot without post_update_reboot: waits for someone else to reboot', async (t) => {
  const h = await AgentHarness.start({ client: { verify_after_reboot: 'true' } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  await h.runUntil(() => JSON.stringify(h.target.feedback.at(-1)?.body ?? '').includes('waiting for a reboot'));
  t.is(h.system.reboots.length, 0, 'the reboot is not ours to make');
  t.is(h.target.action(actionId).status, 'active');
  await h.reboot();
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
});

test('a failing reboot request is reported as a failure', async (t) => {
  const h = await AgentHarness.start({ client: { post_update_reboot: 'true' } });
  t.teardown(() => h.stop());
  h.system.failReboot = 'Failed to connect to bus: No such file or directory';
  const { actionId } = h.target.pushDeployment(deployment);
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  t.regex(JSON.stringify(h.target.feedback.at(-1)!.body), /the reboot failed: Failed to connect to bus/);
});
