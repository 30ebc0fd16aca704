/**
 * Failures the agent reports to the real server with RAUC's own words, and the gateway-token
 * authentication (built CLI, real RAUC).
 */
import test from 'ava';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { e2eServer, prepareTenant } from '../support.js';
import { RAUC_VERSIONS } from '../../harness/rauc-environment.js';
import { AgentDevice } from './agent-device.js';

const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });

test.before(() => prepareTenant(mgmt));

for (const rauc of RAUC_VERSIONS) {
  test(`RAUC ${rauc}: a bundle for another device: refused by the update policy before RAUC installs it, both compatibles named, slot untouched`, async (t) => {
    const device = await AgentDevice.create(server, mgmt, { rauc, name: 'agent-wrong-compatible' });
    t.teardown(() => device.stop());
    const release = await device.release({ version: '7.0', compatible: 'Other Device' });
    device.startAgent();
    const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'forced' });

    const action = await device.actionClosed(actionId);
    t.is(action.detail, 'error', device.output);
    const messages = await device.messages(actionId);
    t.true(
      messages.some((message) => message.includes("is for 'Other Device', but this device is 'Test Device'")),
      JSON.stringify(messages),
    );
    t.is((await device.slot('rootfs.1'))?.bundleVersion, undefined);
  });

  test(`RAUC ${rauc}: gateway-token authentication: the agent polls and installs with the tenant's gateway token`, async (t) => {
    const device = await AgentDevice.create(server, mgmt, { rauc, name: 'agent-gateway', auth: 'gateway' });
    t.teardown(() => device.stop());
    const release = await device.release({ version: '8.0' });
    device.startAgent();
    const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'forced' });

    const action = await device.actionClosed(actionId);
    t.is(action.detail, 'finished', device.output);
    t.is((await device.slot('rootfs.1'))?.bundleVersion, '8.0');
    t.notRegex(device.output, /e2e-gateway-token/, 'the token never reaches the log');
  });
}
