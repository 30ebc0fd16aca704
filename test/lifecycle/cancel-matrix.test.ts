import test from 'ava';
import { AgentDevice, assertSettled, assertVerified } from '../helpers/agent-process.js';

/**
 * The server cancels the action in every phase of the built service (a child process) against the
 * fake hawkBit and the RAUC test service. Before the installation (confirming, downloading, downloaded)
 * the cancel is accepted: `closed`/`success` on cancelAction, code 3003, the files deleted, nothing
 * installed. From the installation on (installing, rebootPending, verifying, reporting) it is refused
 * (`rejected`) and the action ends with its own `closed`/`success`, installed once
 * (docs/lifecycle.md › Cancel). Each phase is held without timing: a manual confirmation, a slow
 * download, a closed maintenance window, RAUC holding the install, a pending reboot, RAUC's Mark call,
 * the server refusing the final feedback until the cancel was answered.
 */
const CANCELED = /^canceled in phase '(\w+)', before the installation; files removed$/;
const REFUSED = /^cannot cancel: the installation has already started \(phase '(\w+)'\)$/;

test('cancel while confirming (manual confirmation pending) → accepted, nothing downloaded or installed', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake', client: { confirmation_policy: 'manual' } });
  const actionId = await device.pushUpdate({ confirmationRequired: true });
  device.start();
  await device.waitForOutput(`action ${actionId} awaits confirmation`);
  device.target.cancel(actionId);
  await device.waitForEnd(actionId);
  t.deepEqual(device.chain(actionId), ['cancel:closed/success']);
  t.deepEqual(device.cancelDetails(actionId).map((detail) => CANCELED.exec(detail)?.[1]), ['confirming']);
  t.deepEqual(device.cancelCodes(actionId), [3003], 'code 3003 (canceled)');
  t.is(device.hb.downloads.length, 0);
  await assertSettled(t, device, actionId, { status: 'canceled', installs: 0 });
});

test('cancel while downloading → accepted, the part file deleted, nothing installed', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake', client: { download_speed_limit: '131072' } });
  const actionId = await device.pushUpdate({}, 4 * 1024 * 1024);
  device.start();
  await device.waitForPartFile(128 * 1024);
  device.target.cancel(actionId);
  await device.waitForEnd(actionId);
  t.deepEqual(device.chain(actionId).filter((entry) => entry !== 'download/none'), ['cancel:closed/success']);
  t.deepEqual(device.cancelDetails(actionId).map((detail) => CANCELED.exec(detail)?.[1]), ['downloading']);
  t.deepEqual(device.cancelCodes(actionId), [3003], 'code 3003 (canceled)');
  await assertSettled(t, device, actionId, { status: 'canceled', installs: 0 });
});

test('cancel while downloaded, waiting for the maintenance window → accepted, the bundle deleted, nothing installed', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake' });
  const actionId = await device.pushUpdate({ maintenanceWindow: 'unavailable' });
  device.start();
  await device.waitForMessage(actionId, /^waiting for the maintenance window$/);
  t.deepEqual(await device.leftovers(), ['rootfs-2.0.raucb'], 'the bundle waits for the window');
  device.target.cancel(actionId);
  await device.waitForEnd(actionId);
  t.deepEqual(device.chain(actionId).filter((entry) => entry !== 'download/none'), ['downloaded/success', 'scheduled/none', 'cancel:closed/success']);
  t.deepEqual(device.cancelDetails(actionId).map((detail) => CANCELED.exec(detail)?.[1]), ['downloaded']);
  t.deepEqual(device.cancelCodes(actionId), [3003], 'code 3003 (canceled)');
  await assertSettled(t, device, actionId, { status: 'canceled', installs: 0 });
});

test('cancel while RAUC installs → rejected, the installation completes and is reported once', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake' });
  const release = device.fakeRauc!.holdInstalls();
  const actionId = await device.pushUpdate();
  device.start();
  await device.waitFor('InstallBundle', () => device.installCalls === 1);
  device.target.cancel(actionId);
  await device.waitForFeedback(actionId, /^cancel:rejected\/none$/);
  release();
  await device.waitForEnd(actionId);
  t.deepEqual(device.cancelDetails(actionId).map((detail) => REFUSED.exec(detail)?.[1]), ['installing']);
  t.deepEqual(device.cancelCodes(actionId), [undefined], 'a refusal carries no code');
  t.deepEqual(device.finals(actionId), ['closed/success']);
  await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
});

test('cancel while the installation waits for the reboot (rebootPending) → rejected, verified after the reboot, reported once', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake', client: { verify_after_reboot: 'true' } });
  const { actionId, child: first } = await device.untilRebootPending();
  device.target.cancel(actionId);
  await device.waitForFeedback(actionId, /^cancel:rejected\/none$/);
  t.is(device.target.action(actionId).status, 'active');
  await device.stop(first);
  await device.reboot();
  device.start();
  await device.waitForEnd(actionId);
  t.deepEqual(device.cancelDetails(actionId).map((detail) => REFUSED.exec(detail)?.[1]), ['rebootPending']);
  t.deepEqual(device.cancelCodes(actionId), [undefined], 'a refusal carries no code');
  await assertVerified(t, device, actionId);
});

test('cancel while verifying after the reboot (the server cancels when RAUC is asked to mark the slot) → rejected, reported once', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake', client: { verify_after_reboot: 'true' } });
  const { actionId, child: first } = await device.untilRebootPending();
  await device.stop(first);
  await device.reboot();
  let marked = false;
  device.fakeRauc!.configure({ onCall: (call) => {
    if (call.method !== 'Mark' || marked) return;
    marked = true;
    device.target.cancel(actionId);
  } });
  device.start();
  await device.waitForEnd(actionId);
  t.true(marked, 'the slot was marked while the cancel came');
  // The verification runs before the first poll: the cancel is answered from the next phase on.
  t.deepEqual(device.cancelDetails(actionId).map((detail) => REFUSED.test(detail)), [true]);
  t.deepEqual(device.cancelCodes(actionId), [undefined], 'a refusal carries no code');
  await assertVerified(t, device, actionId);
});

test('cancel while reporting (the server refuses the final feedback until the cancel is answered) → rejected, the result delivered once', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake' });
  const actionId = await device.pushUpdate();
  let refused = 0;
  let answered = false;
  device.onRequest((request) => {
    const status = (request.body as { status?: { execution?: string } } | undefined)?.status;
    if (request.path.includes('/cancelAction/') && status?.execution === 'rejected') answered = true;
    if (!request.path.endsWith(`/deploymentBase/${actionId}/feedback`) || status?.execution !== 'closed' || answered) return;
    if (refused++ === 0) device.target.cancel(actionId);
    device.hb.failNext(1, 503, { match: /\/feedback$/ });
  });
  device.start();
  await device.waitForEnd(actionId);
  t.true(refused > 0, 'the final feedback was refused while the cancel was pending');
  t.deepEqual(device.cancelDetails(actionId).map((detail) => REFUSED.exec(detail)?.[1]), ['reporting']);
  t.deepEqual(device.cancelCodes(actionId), [undefined], 'a refusal carries no code');
  t.deepEqual(device.finals(actionId), ['closed/success']);
  await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
});

test('cancel while downloading the second of two bundles → accepted, the first (complete) bundle deleted too', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake', client: { download_speed_limit: '131072' } });
  const { actionId } = device.target.pushDeployment({
    type: 'forced',
    chunks: [
      { name: 'app', version: '2.0', artifacts: [{ filename: 'app-2.0.raucb', content: Buffer.alloc(32 * 1024, 1) }] },
      { name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs-2.0.raucb', content: Buffer.alloc(4 * 1024 * 1024, 2) }] },
    ],
  });
  device.start();
  await device.waitFor('the first bundle complete', async () => (await device.leftovers()).includes('app-2.0.raucb'));
  await device.waitForPartFile(128 * 1024);
  device.target.cancel(actionId);
  await device.waitForEnd(actionId);
  t.deepEqual(device.cancelDetails(actionId).map((detail) => CANCELED.exec(detail)?.[1]), ['downloading']);
  await assertSettled(t, device, actionId, { status: 'canceled', installs: 0 });
});
