/**
 * Failures against a real goosebit with real RAUC: a damaged artifact (goosebit gives only SHA-1) and
 * a bundle for another compatible end as a failure goosebit records (device state Error, our details
 * in its log), nothing installed: RAUC's slot status is what it was.
 */
import { open } from 'node:fs/promises';
import test from 'ava';
import { GoosebitTestDevice } from './goosebit-device.js';
import { GoosebitMgmt } from './goosebit-mgmt.js';
import { goosebitServer } from './goosebit-server.js';
import { downloads, installedCount, polls } from './support.js';

const server = goosebitServer('off');
let mgmt: GoosebitMgmt;

test.before(async () => {
  mgmt = await GoosebitMgmt.login(server.url);
});

/**
 * Flips one byte in the middle of the file goosebit serves (its size and recorded SHA-1 stay);
 * resolves with a function that repairs it.
 */
async function damage(path: string): Promise<() => Promise<void>> {
  const flip = async (): Promise<void> => {
    const file = await open(path, 'r+');
    try {
      const { size } = await file.stat();
      const byte = Buffer.alloc(1);
      await file.read(byte, 0, 1, size >> 1);
      byte[0] = (byte[0] ?? 0) ^ 0xff;
      await file.write(byte, 0, 1, size >> 1);
    } finally {
      await file.close();
    }
  };
  await flip();
  return flip;
}

test('damaged artifact: SHA-1 mismatch reported as a failure, nothing installed; a forced retry of the same action installs', async (t) => {
  const device = await GoosebitTestDevice.create(server, mgmt, { name: 'gb-sha1' });
  t.teardown(() => device.stop());
  const software = await device.release({ version: '3.0.0' });
  const repair = await damage(device.artifactPath(software));
  const slotsBefore = await device.slots();
  device.startAgent();
  await device.assign(software);

  const mismatch = new RegExp(`sha1 of ${software.filename.replaceAll('.', '\\.')} is [0-9a-f]{40}, expected ${software.sha1}`);
  const { view } = await device.settled('Error', mismatch);
  t.not(view.sw_version, '3.0.0');
  const settled = polls(await device.requests());
  await device.waitFor('two more polls', async () => (polls(await device.requests()) >= settled + 2 ? true : undefined));
  t.deepEqual(await device.slots(), slotsBefore, 'RAUC slot status unchanged');
  t.is(installedCount(await device.slot('rootfs.1')), 0);
  // One more try from the start after a mismatch, then the failure; goosebit offers nothing to a
  // device in state Error, so there is no download loop.
  const count = downloads(await device.requests());
  t.true(count >= 1 && count <= 2, `downloads: ${count}`);

  // The operator repairs the file and forces the update: goosebit offers the same action id again
  // (its action id is the software id), and the agent takes it up as a new attempt.
  await repair();
  await mgmt.putDevice(device.id, { forceUpdate: true });
  const retried = await device.settled('Finished', /Installed \S+ 3\.0\.0 to rootfs\.1/);
  t.is(retried.view.sw_version, '3.0.0');
  t.like(await device.slot('rootfs.1'), { bundleVersion: '3.0.0' });
  t.is(installedCount(await device.slot('rootfs.1')), 1);
  t.deepEqual(await device.refused(), []);
});

test('bundle for another compatible: refused before RAUC installs it, slot untouched', async (t) => {
  // goosebit matches software to the device's hw_boardname; the device's RAUC says otherwise.
  const device = await GoosebitTestDevice.create(server, mgmt, { name: 'gb-compat', boardName: 'goosebit e2e other board' });
  t.teardown(() => device.stop());
  const software = await device.release({ version: '3.1.0', compatible: 'goosebit e2e other board' });
  const slotsBefore = await device.slots();
  device.startAgent();
  await device.assign(software);

  // The refusal names both compatibles; only the final feedback mentions the bundle's.
  const { log } = await device.settled('Error', /goosebit e2e other board/);
  t.true(log.includes(device.rauc.compatible), log);
  t.deepEqual(await device.slots(), slotsBefore, 'RAUC slot status unchanged');
  t.is(installedCount(await device.slot('rootfs.1')), 0);
  t.deepEqual(await device.refused(), []);
});
