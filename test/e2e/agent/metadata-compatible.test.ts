/**
 * The compatible from the software module's target-visible metadata (`rauc.compatible`), checked before
 * the download against the real server (built CLI, real RAUC 1.8: the check needs only RAUC's Compatible).
 */
import test from 'ava';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { e2eServer, prepareTenant } from '../support.js';
import { AgentDevice } from './agent-device.js';

const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });

test.before(() => prepareTenant(mgmt));

test('software-module metadata rauc.compatible for another device: refused before the download, recorded by hawkBit as an error naming both compatibles, no download', async (t) => {
  const device = await AgentDevice.create(server, mgmt, { rauc: '1.8', name: 'agent-metadata-compatible' });
  t.teardown(() => device.stop());
  const release = await device.release({ version: '7.1' });
  await mgmt.setSoftwareModuleMetadata(release.moduleId, [{ key: 'rauc.compatible', value: 'Other Device' }]);
  device.startAgent();
  const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'forced' });

  const action = await device.actionClosed(actionId);
  t.is(action.detail, 'error', device.output);
  const history = await mgmt.getActionStatus(device.controllerId, actionId);
  const messages = history.flatMap((entry) => entry.messages);
  // hawkBit 0.3.0M7 keeps no status code of the feedback (the code 2003 in the body the server
  // received is asserted on the fake hawkBit, test/scenario/metadata-compatible.test.ts).
  t.true(history.some((entry) => entry.type === 'error'), JSON.stringify(history));
  t.true(
    messages.some((message) => message.includes("Incompatible bundle, nothing downloaded: rootfs-7.1.raucb") && message.includes("is for 'Other Device' (chunk metadata 'rauc.compatible'), but this device is 'Test Device'")),
    JSON.stringify(messages),
  );
  t.false(history.some((entry) => entry.type === 'download' || entry.messages.some((message) => message.startsWith('Target downloads'))), JSON.stringify(history));
  t.is((await device.slot('rootfs.1'))?.bundleVersion, undefined);
});
