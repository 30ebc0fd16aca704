/**
 * The agent against a real goosebit (device auth off, goosebit's default) with real RAUC: a forced
 * install ends Finished with the version on goosebit's side and in RAUC's slot; nothing is installed
 * twice, neither on the next polls nor after an agent restart before the reboot.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import test from 'ava';
import { GoosebitTestDevice } from './goosebit-device.js';
import { GoosebitMgmt } from './goosebit-mgmt.js';
import { goosebitServer } from './goosebit-server.js';
import { downloads, feedbacks, installedCount, polls } from './support.js';

const server = goosebitServer('off');
let mgmt: GoosebitMgmt;

test.before(async () => {
  mgmt = await GoosebitMgmt.login(server.url);
});

test('forced install: goosebit shows Finished and the version, RAUC the bundle in rootfs.1', async (t) => {
  const device = await GoosebitTestDevice.create(server, mgmt, { name: 'gb-install' });
  t.teardown(() => device.stop());
  const software = await device.release({ version: '2.0.1' });
  device.startAgent();
  await device.assign(software);

  const { view } = await device.settled('Finished', /Installed \S+ 2\.0\.1 to rootfs\.1/);
  t.is(view.sw_version, '2.0.1', device.output);
  t.like(view.hardware, { model: device.rauc.compatible });
  t.like(await device.slot('rootfs.1'), { bundleVersion: '2.0.1', state: 'inactive' });
  t.is(installedCount(await device.slot('rootfs.1')), 1);
  await device.waitFor('the bundle to be deleted', async () => (existsSync(device.bundlePath) ? undefined : true));
  t.regex(device.output, /verified=sha1\b/);
  t.deepEqual(await device.refused(), [], 'goosebit answered every request of ours with success');
});

test('no second install: not on the next polls, not after an agent restart before the reboot', async (t) => {
  const device = await GoosebitTestDevice.create(server, mgmt, { name: 'gb-once' });
  t.teardown(() => device.stop());
  const software = await device.release({ version: '2.1.0' });
  device.startAgent();
  await device.assign(software);
  await device.settled('Finished', /Installed \S+ 2\.1\.0 to rootfs\.1/);
  const installed = installedCount(await device.slot('rootfs.1'));
  t.is(installed, 1);

  // goosebit polls every 2 s: three more polls with the software still assigned.
  const before = polls(await device.requests());
  await device.waitFor('three more polls', async () => (polls(await device.requests()) >= before + 3 ? true : undefined));
  t.is(installedCount(await device.slot('rootfs.1')), 1, device.output);

  // A restart (still booted from A, no reboot yet): the agent sends its attributes again, which
  // clears goosebit's sw_version, so goosebit offers the same software once more.
  t.is(await device.stopAgent(), 0);
  const atRestart = (await device.requests()).length;
  device.startAgent();
  const afterRestart = async () => (await device.requests()).slice(atRestart);
  await device.waitFor('the agent to answer the offer again', async () => (feedbacks(await afterRestart()) >= 1 ? true : undefined));
  await device.waitFor('goosebit to show 2.1.0 again', async () => {
    const view = await device.view();
    return view.last_state === 'Finished' && view.sw_version === '2.1.0' ? true : undefined;
  });
  const settled = polls(await afterRestart());
  await device.waitFor('two more polls', async () => (polls(await afterRestart()) >= settled + 2 ? true : undefined));
  t.is(installedCount(await device.slot('rootfs.1')), 1, `RAUC installed the same bundle again:\n${device.output}`);
  t.is(downloads(await device.requests()), 1, 'the bundle was downloaded once');
  t.deepEqual(await device.refused(), []);
});

test('restart during the download: the agent resumes the action, goosebit accepts every feedback', async (t) => {
  const device = await GoosebitTestDevice.create(server, mgmt, {
    name: 'gb-resume',
    client: { download_speed_limit: String(256 * 1024), resume_downloads: 'true' },
  });
  t.teardown(() => device.stop());
  const software = await device.release({ version: '2.2.0', imageBytes: randomBytes(1024 * 1024) });
  device.startAgent();
  await device.assign(software);
  await device.waitFor('the download to start', async () => (downloads(await device.requests()) >= 1 ? true : undefined));
  t.is(await device.stopAgent(), 0);
  device.startAgent();

  const { view } = await device.settled('Finished', /Installed \S+ 2\.2\.0 to rootfs\.1/);
  t.is(view.sw_version, '2.2.0');
  t.regex(device.output, new RegExp(`resuming action ${software.id} in phase 'downloading'`));
  t.like(await device.slot('rootfs.1'), { bundleVersion: '2.2.0' });
  t.is(installedCount(await device.slot('rootfs.1')), 1);
  t.deepEqual(await device.refused(), [], 'goosebit accepted every feedback, the resumed one included');
});
