/**
 * A software module with two artifacts on the real server — a RAUC bundle and a text file — against
 * `non_bundle_artifacts` (built CLI, real RAUC): `fail` (the default) refuses the action with 1004,
 * `skip` installs the bundle and names the text file in the feedback the server stored.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { e2eServer, prepareTenant } from '../support.js';
import { RAUC_VERSIONS } from '../../harness/rauc-environment.js';
import { AgentDevice } from './agent-device.js';

const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });

test.before(() => prepareTenant(mgmt));

/** One `os` module holding the bundle (built by real RAUC) and RELEASE-NOTES.txt, as one distribution set. */
async function bundleWithNotes(device: AgentDevice, version: string): Promise<number> {
  const bundle = await device.rauc.buildBundle({ version });
  const name = `os-notes-${device.controllerId}`;
  const moduleId = await mgmt.createSoftwareModule({ name, version, type: 'os' });
  await mgmt.uploadArtifact(moduleId, { filename: `rootfs-${version}.raucb`, content: await readFile(bundle) });
  await mgmt.uploadArtifact(moduleId, { filename: 'RELEASE-NOTES.txt', content: Buffer.from(`rootfs ${version}: fixes\n`) });
  return mgmt.createDistributionSet({ name, version, moduleIds: [moduleId] });
}

for (const rauc of RAUC_VERSIONS) {
  test(`RAUC ${rauc}: non_bundle_artifacts = skip: the bundle is installed, the text file named in the stored feedback and never downloaded`, async (t) => {
    const device = await AgentDevice.create(server, mgmt, { rauc, name: 'agent-notes-skip', client: { non_bundle_artifacts: 'skip' } });
    t.teardown(() => device.stop());
    const distributionSetId = await bundleWithNotes(device, '9.1');
    device.startAgent();
    const actionId = await mgmt.assign(distributionSetId, device.controllerId, { type: 'forced' });

    const action = await device.actionClosed(actionId);
    t.is(action.detail, 'finished', device.output);
    t.is((await device.slot('rootfs.1'))?.bundleVersion, '9.1', "RAUC's slot status holds the bundle");
    const messages = await device.messages(actionId);
    const skipped = messages.filter((message) => message.startsWith('Not a RAUC bundle, skipped (non_bundle_artifacts = skip):'));
    t.true(skipped.length >= 1 && skipped.every((message) => message.includes(`'RELEASE-NOTES.txt' of 'os-notes-${device.controllerId}' 9.1`)), JSON.stringify(messages));
    t.false((await readdir(join(device.dir, 'downloads'))).some((file) => file.startsWith('RELEASE-NOTES')), 'the text file was not downloaded');
  });

  test(`RAUC ${rauc}: non_bundle_artifacts = fail (the default): the same module fails with code 1004 naming the text file; nothing installed`, async (t) => {
    const device = await AgentDevice.create(server, mgmt, { rauc, name: 'agent-notes-fail' });
    t.teardown(() => device.stop());
    const distributionSetId = await bundleWithNotes(device, '9.2');
    device.startAgent();
    const actionId = await mgmt.assign(distributionSetId, device.controllerId, { type: 'forced' });

    const action = await device.actionClosed(actionId);
    t.is(action.detail, 'error', device.output);
    const history = await mgmt.getActionStatus(device.controllerId, actionId);
    const failure = history.find((entry) => entry.type === 'error');
    t.truthy(failure, JSON.stringify(history));
    t.true(failure!.messages.some((message) => message.includes("artifact 'RELEASE-NOTES.txt' of") && message.includes('is not a RAUC bundle')), JSON.stringify(history));
    // Servers that store status codes (not the oldest ones) have the 1004 the agent sent.
    if (failure!.code !== undefined || action.lastStatusCode !== undefined) t.is(failure!.code ?? action.lastStatusCode, 1004);
    t.is((await device.slot('rootfs.1'))?.bundleVersion, undefined, 'nothing installed');
  });
}
