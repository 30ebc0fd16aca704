import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { FleetReport } from '../../../src/fleet/index.js';
import { configText } from '../../helpers/config-text.js';
import { fleetClientKeys } from '../../helpers/fleet-rig.js';
import { runCli } from '../../helpers/run-cli.js';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { HawkbitRollouts } from '../hawkbit-rollouts.js';
import { createRelease, GATEWAY_TOKEN, prepareTenant } from '../support.js';

// `hawkbit-rauc fleet` against a real hawkBit whose DoS filter is on at its defaults (scripts/test-e2e.sh
// starts it beside the main server: 429 above 50 writes or 200 reads per second from one address, no
// Retry-After). The fleet is told to write four times faster than that, so the server refuses; what
// is asserted is that every refused request was sent again, once, and the server's record is whole:
// each action closed once, and as many feedback entries per action as the fleet saw accepted.

const DEVICES = 100;

function dosServerUrl(): string {
  const url = process.env.HAWKBIT_DOS_URL;
  if (url === undefined || url === '') throw new Error('HAWKBIT_DOS_URL is not set: run the end-to-end tests with `npm run test:e2e` (it starts the server)');
  return url;
}

test(`${DEVICES} devices writing 4× faster than hawkBit's DoS filter allows: the 429s are waited out, every device closes once`, async (t) => {
  t.timeout(300_000);
  const url = dosServerUrl();
  const mgmt = new HawkbitMgmt({ url });
  const rollouts = new HawkbitRollouts(url);
  await prepareTenant(mgmt);
  await mgmt.setPollingTime('00:00:02');
  const dir = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-fleet-dos-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const prefix = `dos-${randomUUID().slice(0, 8)}-`;
  const ids = Array.from({ length: DEVICES }, (_, index) => `${prefix}${String(index).padStart(3, '0')}`);
  await rollouts.createTargets(ids);
  const release = await createRelease(mgmt, { size: 16 * 1024, version: '3.0.0' });
  const rolloutId = await rollouts.createRollout({
    name: `${prefix}rollout`,
    distributionSetId: release.distributionSetId,
    targetFilterQuery: `controllerId==${prefix}*`,
    amountGroups: 1,
    successThreshold: 100,
    errorThreshold: 50,
  });
  await rollouts.waitFor(rolloutId, (state) => state.status === 'ready', 60_000);
  await writeFile(join(dir, 'devices.csv'), `${['controller_id', ...ids].join('\n')}\n`);
  await writeFile(join(dir, 'fleet.conf'), configText({ client: fleetClientKeys(new URL(url).host, dir, GATEWAY_TOKEN) }));
  await rollouts.start(rolloutId);

  const fleetDir = join(dir, 'fleet');
  const result = await runCli(
    ['fleet', '-c', join(dir, 'fleet.conf'), '--device-list', join(dir, 'devices.csv'), '--dir', fleetDir, '--install-time', '0.5', '--reboot-time', '0.5',
      '--ramp-up', '2', '--reads-per-second', '150', '--writes-per-second', '200', '--feedback-concurrency', '16', '--no-view', '--exit-when-done', '--duration', '240'],
    { timeoutMs: 280_000 },
  );
  t.is(result.code, 0, result.stderr);
  const report = JSON.parse(await readFile(join(fleetDir, 'fleet-report.json'), 'utf8')) as FleetReport;
  t.log(result.stdout.split('\n').filter((line) => line.startsWith('results') || line.startsWith('feedback') || line.startsWith('assignment') || line.startsWith('server')).join('\n'));

  // What the fleet saw: refusals, and still every device done.
  t.is(report.ended, 'done');
  t.like(report.summary, { devices: DEVICES, success: DEVICES, failure: 0, inProgress: 0, noAction: 0 });
  t.true(report.requests.write.throttled > 0, `the server refused writes (${JSON.stringify(report.requests)})`);
  t.is(report.answers['429'], report.requests.read.throttled + report.requests.download.throttled + report.requests.write.throttled);

  // What the server recorded: the rollout finished, and each device's action closed exactly once.
  const rollout = await rollouts.waitFor(rolloutId, (state) => state.status === 'finished', 30_000);
  t.is(rollout.totalTargetsPerStatus.finished, DEVICES);
  for (const record of report.devices) {
    const actions = await mgmt.getActions(record.id);
    t.is(actions.length, 1, record.id);
    const statuses = await mgmt.getActionStatus(record.id, actions[0]!.id);
    const types = statuses.map((status) => status.type);
    // The entries the device's feedback made (hawkBit's own say "Update Server: …" or nothing): as many as
    // the fleet counted accepted, so no refused feedback was lost and none was recorded twice.
    const fromDevice = statuses.filter((status) => status.messages.length > 0 && !status.messages.some((message) => message.startsWith('Update Server:')));
    t.is(fromDevice.length, record.feedback, `${record.id}: ${types.join(', ')}`);
    t.is(types.filter((type) => type === 'finished').length, 1, `${record.id}: ${types.join(', ')}`);
    t.false(types.includes('error'), `${record.id}: ${types.join(', ')}`);
  }
});
