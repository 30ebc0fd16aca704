/**
 * Post-reboot verification with the built CLI and real RAUC: with verify_after_reboot the agent
 * reports "waiting for a reboot", and the result only after a (simulated) reboot: the agent stopped
 * with SIGTERM, RAUC restarted on a boot slot, the agent started again with a new boot id.
 */
import test from 'ava';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { e2eServer, prepareTenant } from '../support.js';
import { RAUC_VERSIONS, type RaucVersion } from '../../harness/rauc-environment.js';
import { AgentDevice } from './agent-device.js';

const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });

test.before(() => prepareTenant(mgmt));

/** A device that installed `version` and now waits for the reboot; returns it with the action id. */
async function installedAwaitingReboot(rauc: RaucVersion, name: string, version: string): Promise<{ device: AgentDevice; actionId: number }> {
  const device = await AgentDevice.create(server, mgmt, { rauc, name, client: { verify_after_reboot: 'true' } });
  const release = await device.release({ version });
  device.startAgent();
  const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'forced' });
  await device.messageMatching(actionId, /to rootfs\.1; waiting for a reboot to verify it$/);
  return { device, actionId };
}

for (const rauc of RAUC_VERSIONS) {
  test(`RAUC ${rauc}: reboot into the new slot: success only after the reboot, slot B booted and marked good`, async (t) => {
    const { device, actionId } = await installedAwaitingReboot(rauc, 'agent-reboot', '9.0');
    t.teardown(() => device.stop());
    t.true((await mgmt.getAction(device.controllerId, actionId)).active, 'no result before the reboot');

    await device.reboot('B');
    const action = await device.actionClosed(actionId);
    t.is(action.detail, 'finished', device.output);
    const messages = await device.messages(actionId);
    t.true(messages.some((message) => /rebooted into rootfs\.1 \(B\) running 9\.0 and marked it good/.test(message)), JSON.stringify(messages));
    const slot = await device.slot('rootfs.1');
    t.like(slot, { state: 'booted', bundleVersion: '9.0', bootStatus: 'good' });
    const proof = `(RAUC transaction ${slot?.transaction}, manifest hash ${slot?.bundleHash})`;
    if (rauc !== '1.8') t.true(messages.some((message) => message.endsWith(proof)), `the proof names the slot's transaction and manifest hash: ${JSON.stringify(messages)}`);
  });

  test(`RAUC ${rauc}: rollback: still on the old slot after the reboot → closed/failure "rolled back"`, async (t) => {
    const { device, actionId } = await installedAwaitingReboot(rauc, 'agent-rollback', '10.0');
    t.teardown(() => device.stop());

    await device.reboot('A');
    const action = await device.actionClosed(actionId);
    t.is(action.detail, 'error', device.output);
    const messages = await device.messages(actionId);
    // RAUC 1.13 recorded the action's transaction in rootfs.1; 1.8 records none, so the slot names are compared.
    const rolledBack = rauc === '1.8' ? /^rolled back: booted rootfs\.0 \(A\), but .* was installed to rootfs\.1/ : /^rolled back: booted rootfs\.0 \(no bundle version\), not the slot installed by action \d+ \(rootfs\.1, RAUC transaction [0-9a-f-]{36}\)$/;
    t.true(messages.some((message) => rolledBack.test(message)), JSON.stringify(messages));
    t.like(await device.slot('rootfs.0'), { state: 'booted' });
  });
}
