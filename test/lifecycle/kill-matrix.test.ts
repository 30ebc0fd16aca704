import type { ChildProcess } from 'node:child_process';
import test from 'ava';
import { AgentDevice, assertSettled, assertVerified } from '../helpers/agent-process.js';

/**
 * SIGKILL of the built service (a child process) in every persisted phase, against the fake hawkBit
 * and the RAUC test service; then the service is started again on the same state (after a reboot where
 * the phase waits for one). Every row ends with exactly one final result on the server, RAUC's
 * installed.count of rootfs.1 at 1 (and one InstallBundle call), `resumed` where the restarted
 * service had the action in hand, and an empty download directory. The kill points are what the
 * other side sees (a request arriving, a feedback recorded, a RAUC call) or HAWKBIT_RAUC_TEST_PAUSE_AT
 * where only the service knows the moment (right before or after the RAUC call, cleanup).
 * Real RAUC: real-rauc-matrix.test.ts and kill-at-rauc-call.test.ts.
 */
test('killed idle, with the action offered (while the server answers GET deploymentBase) → installed once after the restart', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake' });
  const actionId = await device.pushUpdate();
  const running: { first?: ChildProcess } = {};
  let killed = false;
  device.onRequest((request) => {
    if (killed || request.method !== 'GET' || !request.path.includes(`/deploymentBase/${actionId}`)) return;
    killed = true;
    running.first!.kill('SIGKILL');
    // Not answered: the kill lands before the service could act on the deployment.
    device.hb.failNext(1, 503, { match: /\/deploymentBase\// });
  });
  const first = (running.first = device.start());
  await device.waitFor('the kill', () => killed);
  await device.kill(first);
  t.deepEqual(device.chain(actionId), [], 'nothing reported before the kill');
  device.start();
  await device.waitForEnd(actionId);
  t.deepEqual(device.finals(actionId), ['closed/success']);
  await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
});

test('killed while confirming (manual confirmation pending) → confirmed after the restart, installed once', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake', client: { confirmation_policy: 'manual' } });
  const actionId = await device.pushUpdate({ confirmationRequired: true });
  const first = device.start();
  await device.waitForOutput(`action ${actionId} awaits confirmation`);
  await device.kill(first);
  t.deepEqual(device.chain(actionId), []);
  device.start();
  await device.waitForOutput(`resuming action ${actionId} in phase 'confirming'`);
  await device.confirm(actionId);
  await device.waitForEnd(actionId);
  t.is(device.chain(actionId)[0], 'confirmation:confirmed');
  t.deepEqual(device.finals(actionId), ['closed/success']);
  await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
});

test('killed while downloading → the download resumes where the part file ends, installed once', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake', client: { download_speed_limit: '131072' } });
  const actionId = await device.pushUpdate({}, 4 * 1024 * 1024);
  const first = device.start();
  await device.waitForFeedback(actionId, /^download\/none$/);
  await device.waitForPartFile(128 * 1024);
  await device.kill(first);
  await device.writeConfig({});
  device.start();
  await device.waitForEnd(actionId);
  t.true(device.chain(actionId).includes('resumed/none'), device.chain(actionId).join(' '));
  const served = device.hb.downloads.filter((download) => download.filename === 'rootfs-2.0.raucb');
  t.true(served.length >= 2 && served.at(-1)!.offset > 0, `the restarted download asked for the rest (offsets ${served.map((download) => download.offset).join(', ')})\n${device.output.text}`);
  t.deepEqual(device.finals(actionId), ['closed/success']);
  await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
});

test('killed while downloaded, waiting for the maintenance window → installed once when the window opens, not downloaded again', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake' });
  const actionId = await device.pushUpdate({ maintenanceWindow: 'unavailable' });
  const first = device.start();
  await device.waitForMessage(actionId, /^waiting for the maintenance window$/);
  await device.kill(first);
  device.start();
  await device.waitForOutput(`resuming action ${actionId} in phase 'downloaded'`);
  device.target.setMaintenanceWindow(actionId, 'available');
  await device.waitForEnd(actionId);
  t.is(device.hb.downloads.filter((download) => download.filename === 'rootfs-2.0.raucb').length, 1, 'downloaded once');
  t.true(device.chain(actionId).includes('resumed/none'));
  t.deepEqual(device.finals(actionId), ['closed/success']);
  await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
});

for (const point of ['before-handover', 'before-install', 'after-install'] as const) {
  const when = { 'before-handover': 'downloaded, right before installing is written with the handover record', 'before-install': 'installing, after the handover record (right before InstallBundle)', 'after-install': 'installing, right after RAUC completed' }[point];
  test(`killed while ${when} → installed once, one success`, async (t) => {
    const device = await AgentDevice.start(t, { rauc: 'fake' });
    const actionId = await device.pushUpdate();
    const first = device.start({ HAWKBIT_RAUC_TEST_PAUSE_AT: point });
    await device.waitForOutput(`test checkpoint '${point}' reached`);
    await device.kill(first);
    t.is(device.installCalls, point === 'after-install' ? 1 : 0);
    device.start();
    await device.waitForEnd(actionId);
    t.true(device.chain(actionId).includes('resumed/none'));
    t.deepEqual(device.finals(actionId), ['closed/success']);
    await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
  });
}

for (const raucDone of [true, false]) {
  test(`killed while RAUC installs; RAUC ${raucDone ? 'completes before' : 'is still installing when'} the service is back → installed once, one success`, async (t) => {
    const device = await AgentDevice.start(t, { rauc: 'fake' });
    const release = device.fakeRauc!.holdInstalls();
    const actionId = await device.pushUpdate();
    const first = device.start();
    await device.waitFor('InstallBundle', () => device.installCalls === 1);
    await device.kill(first);
    if (raucDone) {
      release();
      await device.waitFor('RAUC to complete', () => device.fakeRauc!.operation === 'idle');
    }
    device.start();
    if (!raucDone) {
      await device.waitForOutput(`resuming action ${actionId} in phase 'installing'`);
      release();
    }
    await device.waitForEnd(actionId);
    t.true(device.chain(actionId).includes('resumed/none'));
    t.deepEqual(device.finals(actionId), ['closed/success'], device.output.text);
    await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
  });
}

test('killed while rebootPending (waiting for the reboot), then rebooted → verified, one success, installed once', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake', client: { verify_after_reboot: 'true' } });
  const { actionId, child: first } = await device.untilRebootPending();
  await device.kill(first);
  await device.reboot();
  device.start();
  await device.waitForEnd(actionId);
  await assertVerified(t, device, actionId);
});

test('killed while verifying after the reboot (while RAUC marks the slot good) → verified again, one success, installed once', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake', client: { verify_after_reboot: 'true' } });
  const { actionId, child: first } = await device.untilRebootPending();
  await device.stop(first);
  await device.reboot();
  const running: { second?: ChildProcess } = {};
  device.fakeRauc!.configure({ onCall: (call) => {
    const second = running.second;
    if (call.method === 'Mark' && second?.exitCode === null && second.signalCode === null) second.kill('SIGKILL');
  } });
  const second = (running.second = device.start());
  await device.kill(second);
  device.fakeRauc!.configure({ onCall: () => undefined });
  t.is(device.target.action(actionId).status, 'active', 'no result before the kill');
  device.start();
  await device.waitForEnd(actionId);
  await assertVerified(t, device, actionId);
});

test('killed while reporting (the final feedback on its way, not recorded) → the result delivered once after the restart', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake' });
  const actionId = await device.pushUpdate();
  const running: { first?: ChildProcess } = {};
  let killed = false;
  device.onRequest((request) => {
    const status = (request.body as { status?: { execution?: string } } | undefined)?.status;
    if (killed || !request.path.endsWith(`/deploymentBase/${actionId}/feedback`) || status?.execution !== 'closed') return;
    killed = true;
    running.first!.kill('SIGKILL');
    device.hb.failNext(1, 503, { match: /\/feedback$/ });
  });
  const first = (running.first = device.start());
  await device.waitFor('the kill', () => killed);
  await device.kill(first);
  t.deepEqual(device.finals(actionId), [], 'the final feedback did not reach the server');
  device.start();
  await device.waitForEnd(actionId);
  t.true(device.chain(actionId).includes('resumed/none'));
  t.deepEqual(device.finals(actionId), ['closed/success']);
  await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
});

test('killed in cleanup (the result delivered, the files not yet deleted) → files deleted after the restart, nothing reported again', async (t) => {
  const device = await AgentDevice.start(t, { rauc: 'fake' });
  const actionId = await device.pushUpdate();
  const first = device.start({ HAWKBIT_RAUC_TEST_PAUSE_AT: 'persisted:cleanup' });
  await device.waitForOutput("test checkpoint 'persisted:cleanup' reached");
  await device.kill(first);
  t.deepEqual(device.finals(actionId), ['closed/success']);
  t.deepEqual(await device.leftovers(), ['rootfs-2.0.raucb'], 'killed before the bundle was deleted');
  const reported = device.chain(actionId).length;
  const polls = () => device.hb.requests.filter((request) => request.method === 'GET' && request.path.endsWith('/device-matrix')).length;
  const before = polls();
  device.start();
  await device.waitFor('two polls of the restarted service', () => polls() >= before + 2);
  t.is(device.chain(actionId).length, reported, 'nothing sent for the action after the restart');
  await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
});
