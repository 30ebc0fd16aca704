/**
 * Agent smoke against the real server (also run against the compat release): our built CLI with real
 * RAUC installs a forced update and reports its attributes.
 */
import { existsSync } from 'node:fs';
import test from 'ava';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { e2eServer, prepareTenant, serverAtLeast } from '../support.js';
import { RAUC_VERSIONS } from '../../harness/rauc-environment.js';
import { AgentDevice } from './agent-device.js';

const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });

test.before(() => prepareTenant(mgmt));

for (const rauc of RAUC_VERSIONS) {
  test(`RAUC ${rauc}: forced install: closed/success with our messages, the bundle version in the written slot, files removed`, async (t) => {
    const device = await AgentDevice.create(server, mgmt, { rauc, name: 'agent-forced' });
    t.teardown(() => device.stop());
    const release = await device.release({ version: '2.0.1' });
    device.startAgent();
    const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'forced' });

    const action = await device.actionClosed(actionId);
    t.is(action.detail, 'finished', device.output);
    const messages = await device.messages(actionId);
    const expected = [/^Downloading rootfs-2\.0\.1\.raucb/, /^Downloaded and verified rootfs-2\.0\.1\.raucb$/, /^Installing os-\S+ 2\.0\.1 with RAUC$/, /^Installing done\./, /^Installed os-\S+ 2\.0\.1 to rootfs\.1$/];
    for (const pattern of expected) t.true(messages.some((message) => pattern.test(message)), `${pattern} in ${JSON.stringify(messages)}`);
    t.like(await device.slot('rootfs.1'), { bundleVersion: '2.0.1', state: 'inactive' });
    t.false(existsSync(device.bundlePath), 'the bundle is deleted after the installation');
    // 0.3.0M1 sends no sha256: the agent verifies MD5 and SHA-1 there.
    t.regex(device.output, serverAtLeast(server, '0.3.0M7') ? /verified=md5\+sha256/ : /verified=md5\+sha1\b/);
  });

  test(`RAUC ${rauc}: attributes: the [device] group and what RAUC knows appear on the target`, async (t) => {
    const device = await AgentDevice.create(server, mgmt, { rauc, name: 'agent-attributes' });
    t.teardown(() => device.stop());
    device.startAgent();
    const attributes = await device.waitFor('the target attributes', async () => {
      const current = await mgmt.getAttributes(device.controllerId);
      return current.rauc_compatible === undefined ? undefined : current;
    });
    t.like(attributes, {
      product: 'e2e board',
      serial: device.controllerId,
      rauc_compatible: 'Test Device',
      rauc_booted_slot: 'rootfs.0',
      rauc_boot_name: 'A',
    });
  });
}
