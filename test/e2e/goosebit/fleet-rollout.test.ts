/**
 * `hawkbit-rauc fleet` against a real goosebit (device auth off): a rollout on goosebit's default feed
 * reaches every virtual device, and goosebit's own record (the rollout's success count, each device's
 * state and version) shows every one of them finished.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { FleetReport } from '../../../src/fleet/index.js';
import { RaucEnvironment } from '../../harness/rauc-environment.js';
import { configText } from '../../helpers/config-text.js';
import { fleetClientKeys } from '../../helpers/fleet-rig.js';
import { runCli } from '../../helpers/run-cli.js';
import { GoosebitMgmt } from './goosebit-mgmt.js';
import { goosebitServer } from './goosebit-server.js';

const DEVICES = 20;
const server = goosebitServer('off');

test(`a rollout on the default feed: all ${DEVICES} virtual devices finish it, as goosebit records`, async (t) => {
  const mgmt = await GoosebitMgmt.login(server.url);
  const dir = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-fleet-goosebit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const suffix = randomUUID().slice(0, 8);
  // Its own compatible (= the devices' hw_boardname): the rollout matches only these devices.
  const compatible = `goosebit fleet ${suffix}`;
  const rauc = await RaucEnvironment.start({ compatible, dir: join(dir, 'rauc') });
  let bundle: Buffer;
  try {
    bundle = await readFile(await rauc.buildBundle({ version: '3.0.0' }));
  } finally {
    await rauc.stop();
  }
  const softwareId = await mgmt.uploadSoftware(bundle, `rootfs-${suffix}.raucb`);
  const rolloutId = await mgmt.createRollout(`fleet-${suffix}`, softwareId);

  const url = new URL(server.url);
  await writeFile(
    join(dir, 'fleet.conf'),
    configText({
      // goosebit checks no credential with device auth off; the fleet's devices share this one.
      client: fleetClientKeys(url.host, dir, 'unused-with-device-auth-off'),
      device: { hw_boardname: compatible },
    }),
  );
  const fleetDir = join(dir, 'fleet');
  const prefix = `gbf-${suffix}-`;
  // One write at a time: goosebit counts a rollout's successes by reading the rollout, adding one and
  // saving it across awaits (updater/controller/v1/routes.py), so two final feedbacks handled at once
  // lose one (seen: success_count 18 of 20 with every device Finished). Serialised, its record is exact.
  const args = ['fleet', '-c', join(dir, 'fleet.conf'), '--devices', String(DEVICES), '--prefix', prefix, '--dir', fleetDir, '--feedback-concurrency', '1'];
  const result = await runCli([...args, '--compatible', compatible, '--install-time', '1', '--reboot-time', '1', '--ramp-up', '1', '--exit-when-done', '--duration', '90', '--no-view'], { timeoutMs: 120_000 });
  t.is(result.code, 0, result.stderr);
  const report = JSON.parse(await readFile(join(fleetDir, 'fleet-report.json'), 'utf8')) as FleetReport;
  t.like(report.summary, { devices: DEVICES, success: DEVICES, failure: 0 });
  t.true(report.devices.every((record) => record.actionId === String(softwareId)), 'goosebit uses the software id as the action id');

  const rollout = await mgmt.rollout(rolloutId);
  t.like(rollout, { success_count: DEVICES, failure_count: 0, paused: false });
  const devices = (await mgmt.devices()).filter((device) => device.id.startsWith(prefix));
  t.is(devices.length, DEVICES);
  for (const device of devices) t.like(device, { last_state: 'Finished', sw_version: '3.0.0' }, device.id);
});
