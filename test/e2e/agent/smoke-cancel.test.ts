/**
 * Agent smoke against the real server (also run against the compat release): a cancel that arrives
 * while the agent downloads (slowed by download_speed_limit) stops it; nothing is installed.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { e2eServer, prepareTenant } from '../support.js';
import { RAUC_VERSIONS } from '../../harness/rauc-environment.js';
import { AgentDevice } from './agent-device.js';

const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });

test.before(() => prepareTenant(mgmt));

for (const rauc of RAUC_VERSIONS) {
  test(`RAUC ${rauc}: cancel during the download: canceled, download stopped and removed, nothing installed`, async (t) => {
    // 2 MiB at 128 KiB/s: about 16 s of download, far longer than the cancel needs to arrive.
    const device = await AgentDevice.create(server, mgmt, { rauc, name: 'agent-cancel', client: { download_speed_limit: String(128 * 1024) } });
    t.teardown(() => device.stop());
    const release = await device.release({ version: '6.0', imageBytes: randomBytes(2 * 1024 * 1024) });
    device.startAgent();
    const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'forced' });
    await device.messageMatching(actionId, /^Downloading rootfs-6\.0\.raucb/);

    await mgmt.cancelAction(device.controllerId, actionId);
    const action = await device.actionClosed(actionId);
    t.is(action.detail, 'canceled', device.output);
    const messages = await device.messages(actionId);
    t.false(messages.some((message) => message.startsWith('Downloaded and verified')), JSON.stringify(messages));
    t.false(messages.some((message) => / with RAUC$/.test(message)), 'no installation started');
    t.is((await device.slot('rootfs.1'))?.bundleVersion, undefined, 'nothing installed');
    await device.waitFor('the partial download to be removed', async () => ((await readdir(join(device.dir, 'downloads'))).length === 0 ? true : undefined));
  });
}
