/**
 * The agent (built CLI, real RAUC) with the deployment types of the real server: download-only, a
 * maintenance window that opens during the test, and a soft update held by the local update gate.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { e2eServer, prepareTenant } from '../support.js';
import { RAUC_VERSIONS } from '../../harness/rauc-environment.js';
import { AgentDevice } from './agent-device.js';

const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });

test.before(() => prepareTenant(mgmt));

/** A daily Quartz schedule (UTC) whose window opens `seconds` from now. */
function windowOpeningIn(seconds: number): { schedule: string; opensAt: number } {
  const opensAt = (Math.floor(Date.now() / 1000) + seconds) * 1000;
  const start = new Date(opensAt);
  return { schedule: `${start.getUTCSeconds()} ${start.getUTCMinutes()} ${start.getUTCHours()} ? * *`, opensAt };
}

for (const rauc of RAUC_VERSIONS) {
  test(`RAUC ${rauc}: download-only: the bundle is downloaded, verified and kept; the action is closed; nothing installed`, async (t) => {
    const device = await AgentDevice.create(server, mgmt, { rauc, name: 'agent-download-only' });
    t.teardown(() => device.stop());
    const release = await device.release({ version: '3.0' });
    device.startAgent();
    const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'downloadonly' });

    const action = await device.actionClosed(actionId);
    t.is(action.detail, 'downloaded', `hawkBit closes a download-only action as downloaded\n${device.output}`);
    t.true((await device.messages(actionId)).includes('Downloaded and verified rootfs-3.0.raucb'));
    t.deepEqual(await readdir(join(device.dir, 'downloads')), ['rootfs-3.0.raucb'], 'the file is kept, no part file left');
    t.is((await device.slot('rootfs.1'))?.bundleVersion, undefined, 'nothing installed');
  });

  test(`RAUC ${rauc}: maintenance window: downloaded at once, "waiting for the maintenance window", installed once it opens`, async (t) => {
    const device = await AgentDevice.create(server, mgmt, { rauc, name: 'agent-window' });
    t.teardown(() => device.stop());
    const release = await device.release({ version: '4.0' });
    device.startAgent();
    const { schedule, opensAt } = windowOpeningIn(20);
    const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, {
      type: 'forced',
      maintenanceWindow: { schedule, duration: '00:10:00', timezone: '+00:00' },
    });

    await device.messageMatching(actionId, /^waiting for the maintenance window$/);
    t.true(existsSync(join(device.dir, 'downloads', 'rootfs-4.0.raucb')), 'downloaded before the window opens');
    t.is((await device.slot('rootfs.1'))?.bundleVersion, undefined, 'not installed before the window opens');

    const action = await device.actionClosed(actionId);
    t.is(action.detail, 'finished', device.output);
    t.is((await device.slot('rootfs.1'))?.bundleVersion, '4.0');
    const history = await mgmt.getActionStatus(device.controllerId, actionId);
    const installing = history.find((entry) => entry.messages.some((message) => message.endsWith('4.0 with RAUC')));
    t.truthy(installing?.reportedAt, JSON.stringify(history));
    t.true(installing!.reportedAt! >= opensAt, 'the installation started inside the window');
  });

  test(`RAUC ${rauc}: soft update with the local gate: refused and reported once, installed after the gate allows it`, async (t) => {
    const gateDir = await mkdtemp(join(tmpdir(), 'hr-e2e-gate-'));
    t.teardown(() => rm(gateDir, { recursive: true, force: true }));
    const gate = join(gateDir, 'gate.sh');
    const allow = join(gateDir, 'allow');
    await writeFile(gate, `#!/bin/sh\n[ -e '${allow}' ] && exit 0\necho "user is busy"\nexit 1\n`);
    await chmod(gate, 0o755);
    const device = await AgentDevice.create(server, mgmt, { rauc, name: 'agent-gate', client: { update_gate_command: gate } });
    t.teardown(() => device.stop());
    const release = await device.release({ version: '5.0' });
    device.startAgent();
    const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'soft' });

    const refusal = /^local update gate refused the download \(.*\).*user is busy.*asking again at the next poll$/;
    await device.messageMatching(actionId, refusal);
    t.true((await mgmt.getAction(device.controllerId, actionId)).active);
    await writeFile(allow, '');

    const action = await device.actionClosed(actionId);
    t.is(action.detail, 'finished', device.output);
    t.is((await device.slot('rootfs.1'))?.bundleVersion, '5.0');
    const messages = await device.messages(actionId);
    t.is(messages.filter((message) => refusal.test(message)).length, 1, `reported once: ${JSON.stringify(messages)}`);
  });
}
