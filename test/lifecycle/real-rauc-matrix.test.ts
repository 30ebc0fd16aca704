import test from 'ava';
import { actionTransactionId } from '../../src/agent/transaction-id.js';
import { RAUC_VERSIONS } from '../harness/rauc-environment.js';
import { AgentDevice, assertSettled } from '../helpers/agent-process.js';

/**
 * Real RAUC rows of the kill and cancel matrices (kill-matrix.test.ts, cancel-matrix.test.ts).
 * The built service killed (SIGKILL) during a real installation — RAUC 1.8 and 1.13 hold it in their
 * pre-install handler, so the kill lands while RAUC is busy with the bundle — then started again:
 * once after RAUC completed on its own, once while RAUC still installs. Either way RAUC's
 * installed.count of rootfs.1 goes from 0 to exactly 1, the slot holds the bundle (with the action's
 * transaction on 1.13), and hawkBit gets one `closed`/`success`. The points right around the
 * InstallBundle call are in kill-at-rauc-call.test.ts.
 */
for (const version of RAUC_VERSIONS) {
  for (const raucDone of [true, false]) {
    test(`real RAUC ${version}: killed during the installation, RAUC ${raucDone ? 'completes before' : 'still installs when'} the service is back → installed.count 0 → 1, one success`, async (t) => {
      const device = await AgentDevice.start(t, { rauc: version });
      const rauc = device.realRauc!;
      const release = await rauc.holdInstalls();
      const actionId = await device.pushUpdate();
      t.is(await device.installedCount(), 0);
      const first = device.start();
      await device.waitFor("RAUC's installation", async () => (await device.operation()) === 'installing');
      await device.kill(first);
      t.is(device.target.action(actionId).status, 'active', 'no result before the kill');
      if (raucDone) {
        await release();
        await device.waitFor('RAUC to complete', async () => (await device.operation()) === 'idle');
        t.is(await device.installedCount(), 1, 'RAUC completed while the service was dead');
      }
      device.start();
      if (!raucDone) {
        await device.waitForOutput(`resuming action ${actionId} in phase 'installing'`);
        await release();
      }
      await device.waitForEnd(actionId);
      t.true(device.chain(actionId).includes('resumed/none'), device.chain(actionId).join(' '));
      t.deepEqual(device.finals(actionId), ['closed/success'], `${device.output.text.slice(-6_000)}\n${rauc.serviceLog}`);
      const slot = await device.slot('rootfs.1');
      t.like(slot, { bundleVersion: '2.0', bootStatus: 'good' });
      t.is(slot?.transaction, version === '1.8' ? undefined : actionTransactionId({ hawkbitServer: device.hb.hostPort, tenantId: device.hb.tenant, targetName: 'device-matrix' }, actionId));
      await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
    });
  }
}

for (const version of RAUC_VERSIONS) {
  test(`real RAUC ${version}: cancel while RAUC installs → rejected, the installation completes, installed.count 0 → 1, one success`, async (t) => {
    const device = await AgentDevice.start(t, { rauc: version });
    const release = await device.realRauc!.holdInstalls();
    const actionId = await device.pushUpdate();
    device.start();
    await device.waitFor("RAUC's installation", async () => (await device.operation()) === 'installing');
    device.target.cancel(actionId);
    await device.waitForFeedback(actionId, /^cancel:rejected\/none$/);
    await release();
    await device.waitForEnd(actionId);
    t.deepEqual(device.cancelDetails(actionId), ["cannot cancel: the installation has already started (phase 'installing')"]);
    t.deepEqual(device.finals(actionId), ['closed/success']);
    t.like(await device.slot('rootfs.1'), { bundleVersion: '2.0', bootStatus: 'good' });
    await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
  });
}
