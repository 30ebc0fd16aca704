import { readFileSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { actionTransactionId } from '../../src/agent/transaction-id.js';
import { silentLogger } from '../../src/log/index.js';
import { DbusInstaller } from '../../src/rauc/index.js';
import { RAUC_VERSIONS, type RaucVersion } from '../harness/rauc-environment.js';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

// The result after the reboot bound to the action: RAUC 1.13 records the action's transaction id in
// the slot it wrote; RAUC 1.8 records none, and the slot name is compared as before.

async function installedAwaitingReboot(version: RaucVersion): Promise<{ h: AgentHarness; actionId: string; installer: DbusInstaller }> {
  const h = await AgentHarness.start({ rauc: 'real', raucVersion: version, client: { post_update_reboot: 'true' } });
  const bundlePath = await h.realRauc!.buildBundle({ version: '2.0' });
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs-2.0.raucb', content: readFileSync(bundlePath) }] }] });
  await h.runUntil(() => h.system.reboots.length > 0);
  const installer = new DbusInstaller({ bus: { address: h.realRauc!.busAddress }, log: silentLogger() });
  return { h, actionId, installer };
}

const finalStatus = (h: AgentHarness) => (h.target.feedback.at(-1)!.body as { status: { code?: number; details: string[] } }).status;

/** Runs the agent after the (simulated) reboot until the action closes; checks it failed with 2002. */
async function rolledBack(t: ExecutionContext, h: AgentHarness, actionId: string): Promise<string | undefined> {
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  const status = finalStatus(h);
  t.is(status.code, 2002);
  return status.details[0];
}

for (const version of RAUC_VERSIONS) {
  const transactions = version !== '1.8';

  test(`real RAUC ${version}: features logged once at start; the installed slot ${transactions ? 'carries the action\'s transaction id' : 'has no transaction'}; inspected before the install; success after the reboot into it`, async (t) => {
    const { h, actionId, installer } = await installedAwaitingReboot(version);
    t.teardown(() => h.stop());
    t.teardown(() => installer.close());
    const id = actionTransactionId(h.config, actionId);
    t.is(h.target.action(actionId).status, 'active', 'no result before the reboot');
    const written = (await installer.slotStatus()).find((slot) => slot.name === 'rootfs.1');
    t.is(written?.transaction, transactions ? id : undefined, 'installed.transaction of the written slot');
    const features = h.logs.text.split('\n').filter((line) => line.includes('RAUC features:'));
    t.is(features.length, 1, h.logs.text);
    t.regex(features[0]!, transactions ? /InspectBundle yes, transaction-id yes,/ : /InspectBundle no, transaction-id no, require-manifest-hash no/);

    await h.reboot();
    await h.runUntil(() => h.target.action(actionId).status !== 'active');
    t.is(h.target.action(actionId).status, 'finished');
    t.deepEqual(feedbackChain(h.target, actionId).slice(-1), ['closed/success']);
    const booted = (await installer.slotStatus()).find((slot) => slot.state === 'booted')!;
    t.like(booted, { name: 'rootfs.1', bootStatus: 'good' });
    const details = finalStatus(h).details[0]!;
    t.regex(details, /rebooted into rootfs\.1 \(B\) running 2\.0 and marked it good/);
    t.is(details.includes(`RAUC transaction ${id}`), transactions, details);
    // Inspected before the install (InspectBundle, 1.9+) and found in the booted slot: the same manifest.
    const inspected = /manifest hash ([0-9a-f]{64})\); installing/.exec(JSON.stringify(h.target.feedback.map((f) => f.body)))?.[1];
    t.is(inspected, transactions ? booted.bundleHash : undefined, 'the Policy line names the manifest hash InspectBundle gave');
    if (transactions) t.true(details.endsWith(`(RAUC transaction ${id}, manifest hash ${booted.bundleHash})`), details);
  });

  test(`real RAUC ${version}: a boot into the old slot is a failure "rolled back" (code 2002)`, async (t) => {
    const { h, actionId, installer } = await installedAwaitingReboot(version);
    t.teardown(() => h.stop());
    t.teardown(() => installer.close());
    await h.rebootIntoOldSlot();
    const details = await rolledBack(t, h, actionId);
    const id = actionTransactionId(h.config, actionId);
    t.is(
      details,
      transactions
        ? `rolled back: booted rootfs.0 (no bundle version), not the slot installed by action ${actionId} (rootfs.1, RAUC transaction ${id})`
        : 'rolled back: booted rootfs.0 (A), but rootfs 2.0 was installed to rootfs.1',
    );
    t.like((await installer.slotStatus()).find((slot) => slot.state === 'booted'), { name: 'rootfs.0' });
  });
}

test('real RAUC 1.13: the slot booted holds another install than the action\'s (written again after it) → failure, not success', async (t) => {
  const { h, actionId, installer } = await installedAwaitingReboot('1.13');
  t.teardown(() => h.stop());
  t.teardown(() => installer.close());
  // Someone installs another bundle into the same slot before the reboot (RAUC gives it a random transaction).
  await installer.install(await h.realRauc!.buildBundle({ version: '3.0' }));
  const other = (await installer.slotStatus()).find((slot) => slot.name === 'rootfs.1')!.transaction!;
  await h.reboot();
  const details = await rolledBack(t, h, actionId);
  const id = actionTransactionId(h.config, actionId);
  t.is(details, `rolled back: booted rootfs.1 (3.0), not the slot installed by action ${actionId}: no slot carries its RAUC transaction ${id} (rootfs.1 was last written by transaction ${other})`);
});

for (const version of RAUC_VERSIONS) {
  test(`real RAUC ${version}: the agent stopped right after the install was persisted, before the reboot: after the reboot exactly one result, success`, async (t) => {
    const h = await AgentHarness.start({ rauc: 'real', raucVersion: version, client: { verify_after_reboot: 'true' } });
    t.teardown(() => h.stop());
    const bundlePath = await h.realRauc!.buildBundle({ version: '2.0' });
    const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs-2.0.raucb', content: readFileSync(bundlePath) }] }] });
    await h.runUntil(() => false, { onPersist: (state, stop) => state.phase.kind === 'rebootPending' && stop() });
    t.is(h.target.action(actionId).status, 'active');

    await h.reboot();
    await h.runUntil(() => h.target.action(actionId).status !== 'active');
    t.is(h.target.action(actionId).status, 'finished');
    t.deepEqual(feedbackChain(h.target, actionId).filter((entry) => entry.startsWith('closed/')), ['closed/success'], 'one result');
    const id = actionTransactionId(h.config, actionId);
    t.is(finalStatus(h).details[0]!.includes(`RAUC transaction ${id}`), version !== '1.8');
  });
}
