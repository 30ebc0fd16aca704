/**
 * A forced deployment end to end with raw DDI calls: the link, the deployment document our model
 * reads, the artifact download (hashes, Range, MD5SUM), feedback to the finish, and the 410 after it.
 */
import test from 'ava';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { actionIdOf, feedback, linksOf } from '../ddi-http.js';
import { checkFixture } from '../fixtures.js';
import { createDevice, createRelease, e2eServer, prepareTenant, waitForLink } from '../support.js';
import { createHash } from 'node:crypto';

const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });

test.before(async () => {
  await prepareTenant(mgmt);
});

/** The parts of the deployment document our DDI model reads. */
interface DeploymentJson {
  id: string;
  deployment: {
    download: string;
    update: string;
    maintenanceWindow?: string;
    chunks: {
      part: string;
      version: string;
      name: string;
      artifacts: {
        filename: string;
        size: number;
        hashes: { sha1: string; md5: string; sha256?: string };
        _links: Record<string, { href: string }>;
      }[];
    }[];
  };
}

test('forced assignment: deploymentBase, download with hashes and Range, feedback to finished, then 410', async (t) => {
  const device = await createDevice(server, mgmt, 'deploy-forced');
  const release = await createRelease(mgmt, { size: 256 * 1024, filename: 'update.raucb' });
  const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'forced' });
  const context = { url: server.url, controllerId: device.controllerId };

  const deploymentHref = await waitForLink(device, 'deploymentBase');
  t.is(actionIdOf(deploymentHref), actionId);
  const base = await device.ddi.get();
  await checkFixture(t, server.version, 'base-with-deployment', base.data, context);

  const response = await device.ddi.get<DeploymentJson>(deploymentHref);
  t.is(response.status, 200);
  await checkFixture(t, server.version, 'deployment-forced', response.data, context);
  const deployment = response.data;
  t.is(deployment.id, String(actionId));
  t.is(deployment.deployment.download, 'forced');
  t.is(deployment.deployment.update, 'forced');
  t.is(deployment.deployment.maintenanceWindow, undefined);
  t.is(deployment.deployment.chunks.length, 1);
  const chunk = deployment.deployment.chunks[0]!;
  t.like(chunk, { part: 'os', name: release.name, version: release.version });
  t.is(chunk.artifacts.length, 1);
  const artifact = chunk.artifacts[0]!;
  t.like(artifact, { filename: 'update.raucb', size: release.content.length, hashes: { md5: release.hashes.md5, sha1: release.hashes.sha1 } });
  // sha256 arrived in 0.3.0M7; older servers send only md5 and sha1.
  if (artifact.hashes.sha256 !== undefined) t.is(artifact.hashes.sha256, release.hashes.sha256);
  // By default the server offers only the plain-http links.
  t.deepEqual(Object.keys(artifact._links).sort(), ['download-http', 'md5sum-http']);

  const href = artifact._links['download-http']!.href;
  const whole = await device.ddi.download(href);
  t.is(whole.status, 200);
  for (const algorithm of ['md5', 'sha1', 'sha256'] as const) {
    t.is(createHash(algorithm).update(whole.data).digest('hex'), release.hashes[algorithm], `${algorithm} of the download`);
  }
  const part = await device.ddi.download(href, { Range: 'bytes=1000-1999' });
  t.is(part.status, 206);
  t.is(part.headers['content-range'], `bytes 1000-1999/${release.content.length}`);
  t.true(part.data.equals(release.content.subarray(1000, 2000)));
  const md5sum = await device.ddi.download(artifact._links['md5sum-http']!.href);
  t.is(md5sum.status, 200);
  t.is(md5sum.data.toString('utf8').trim(), `${release.hashes.md5}  update.raucb`);

  const feedbackHref = `${deploymentHref.replace(/\?.*$/, '')}/feedback`;
  const proceeding = await device.ddi.post(feedbackHref, feedback(actionId, 'proceeding', 'none', ['e2e: installing update.raucb'], { progress: { cnt: 50, of: 100 } }));
  t.is(proceeding.status, 200);
  t.like(await mgmt.getAction(device.controllerId, actionId), { active: true });

  const closed = await device.ddi.post(feedbackHref, feedback(actionId, 'closed', 'success', ['e2e: installed 1.0.0 into rootfs.1']));
  t.is(closed.status, 200);
  const finished = await mgmt.waitForAction(device.controllerId, actionId, (action) => !action.active);
  t.is(finished.detail, 'finished');
  const history = await mgmt.getActionStatus(device.controllerId, actionId);
  const messages = history.flatMap((entry) => entry.messages);
  t.true(messages.includes('e2e: installing update.raucb'), JSON.stringify(history));
  t.true(messages.includes('e2e: installed 1.0.0 into rootfs.1'), JSON.stringify(history));
  t.is(history[0]?.type, 'finished');

  // The action is over: more feedback is refused, and the poll no longer offers it.
  const late = await device.ddi.post(feedbackHref, feedback(actionId, 'proceeding', 'none', ['too late']));
  t.is(late.status, 410);
  const after = await device.ddi.get();
  t.false('deploymentBase' in linksOf(after.data));
  await checkFixture(t, server.version, 'base-after-success', after.data, context);
});

test('feedback for an action the target does not have: 404', async (t) => {
  const device = await createDevice(server, mgmt, 'deploy-unknown');
  const response = await device.ddi.post('deploymentBase/999999/feedback', feedback(999999, 'closed', 'success'));
  t.is(response.status, 404);
});

test('closed + failure ends the action in error with the device messages', async (t) => {
  const device = await createDevice(server, mgmt, 'deploy-failure');
  const release = await createRelease(mgmt, { size: 1024 });
  const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'forced' });
  const href = await waitForLink(device, 'deploymentBase');
  const response = await device.ddi.post(`${href.replace(/\?.*$/, '')}/feedback`, feedback(actionId, 'closed', 'failure', ['e2e: Installation failed: bundle compatible does not match'], { code: 21 }));
  t.is(response.status, 200);
  const action = await mgmt.waitForAction(device.controllerId, actionId, (a) => !a.active);
  t.is(action.detail, 'error');
  const messages = (await mgmt.getActionStatus(device.controllerId, actionId)).flatMap((entry) => entry.messages);
  t.true(messages.includes('e2e: Installation failed: bundle compatible does not match'));
});
