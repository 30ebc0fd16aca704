import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { FleetReport } from '../../../src/fleet/index.js';
import { configText } from '../../helpers/config-text.js';
import { fleetClientKeys } from '../../helpers/fleet-rig.js';
import { runCli } from '../../helpers/run-cli.js';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { HawkbitRollouts } from '../hawkbit-rollouts.js';
import { createRelease, e2eServer, GATEWAY_TOKEN, prepareTenant } from '../support.js';

// `hawkbit-rauc fleet` (the built CLI) against the real hawkBit: DEVICES virtual devices, a rollout
// of 4 groups made through the management API; what is asserted is the server's record of it.

// Both rehearsals take about 75 s with 200 devices on 2 cores at load 8 (three times that at load 25);
// FLEET_E2E_DEVICES changes the count.
const DEVICES = Number(process.env.FLEET_E2E_DEVICES ?? 200);
const GROUPS = 4;
const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });
const rollouts = new HawkbitRollouts(server.url);

test.before(async () => {
  await prepareTenant(mgmt);
  // 200 devices polling every second would be 200 requests per second on a shared CI machine.
  await mgmt.setPollingTime('00:00:02');
});

interface Rehearsal {
  readonly rolloutId: number;
  readonly report: FleetReport;
  readonly groupOf: ReadonlyMap<string, number>;
  readonly stdout: string;
}

/** Targets, a release, a rollout (4 groups, next group at 100 % finished, pause at 20 % errors); the fleet runs its devices as hawkBit grouped them. */
async function rehearse(t: ExecutionContext, fleetArgs: readonly string[]): Promise<Rehearsal> {
  t.timeout(330_000);
  const dir = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-fleet-e2e-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const prefix = `fl-${randomUUID().slice(0, 8)}-`;
  const ids = Array.from({ length: DEVICES }, (_, index) => `${prefix}${String(index).padStart(4, '0')}`);
  await rollouts.createTargets(ids);
  const release = await createRelease(mgmt, { size: 32 * 1024, version: '2.0.0' });
  const rolloutId = await rollouts.createRollout({
    name: `${prefix}rollout`,
    distributionSetId: release.distributionSetId,
    targetFilterQuery: `controllerId==${prefix}*`,
    amountGroups: GROUPS,
    successThreshold: 100,
    errorThreshold: 20,
  });
  await rollouts.waitFor(rolloutId, (state) => state.status === 'ready', 60_000);
  // The device list names each device's group as hawkBit split them.
  const groups = await rollouts.groups(rolloutId);
  t.is(groups.length, GROUPS);
  const groupOf = new Map<string, number>();
  for (const [index, group] of groups.entries()) for (const id of await rollouts.groupTargets(rolloutId, group.id)) groupOf.set(id, index + 1);
  t.is(groupOf.size, DEVICES);
  const csv = ['controller_id,group', ...ids.map((id) => `${id},${groupOf.get(id)}`)].join('\n');
  await writeFile(join(dir, 'devices.csv'), `${csv}\n`);
  const url = new URL(server.url);
  await writeFile(
    join(dir, 'fleet.conf'),
    configText({
      client: fleetClientKeys(url.host, dir, GATEWAY_TOKEN),
    }),
  );
  await rollouts.start(rolloutId);
  const fleetDir = join(dir, 'fleet');
  const args = ['fleet', '-c', join(dir, 'fleet.conf'), '--device-list', join(dir, 'devices.csv'), '--dir', fleetDir, '--install-time', '0.5', '--reboot-time', '0.5', '--ramp-up', '2', '--reads-per-second', '100', '--writes-per-second', '150', '--feedback-concurrency', '16', '--no-view', ...fleetArgs];
  const started = Date.now();
  const result = await runCli(args, { timeoutMs: 280_000 });
  t.log(`fleet ran ${Math.round((Date.now() - started) / 1000)} s`);
  t.is(result.code, 0, result.stderr);
  const report = JSON.parse(await readFile(join(fleetDir, 'fleet-report.json'), 'utf8')) as FleetReport;
  t.log(result.stdout.split('\n').filter((line) => !line.startsWith('fleet ') && !line.startsWith(prefix)).slice(0, 6).join('\n'));
  return { rolloutId, report, groupOf, stdout: result.stdout };
}

test(`failure rate 0: all ${DEVICES} devices closed/success group after group, and hawkBit finishes the rollout`, async (t) => {
  const { rolloutId, report, stdout } = await rehearse(t, ['--exit-when-done', '--duration', '240']);
  t.is(report.ended, 'done');
  t.like(report.summary, { devices: DEVICES, success: DEVICES, failure: 0, inProgress: 0, noAction: 0 });
  t.is(report.timeToClosedMs.count, DEVICES);
  t.regex(stdout, new RegExp(`results: ${DEVICES} success · 0 failure`));
  const finished = await rollouts.waitFor(rolloutId, (state) => state.status === 'finished', 30_000);
  t.is(finished.totalTargetsPerStatus.finished, DEVICES);
  for (const group of await rollouts.groups(rolloutId)) {
    t.is(group.status, 'finished', group.name);
    t.is(group.totalTargetsPerStatus.finished, group.totalTargets, group.name);
  }
});

test('failure rate 50 % in the first group: hawkBit pauses the rollout at its 20 % error threshold, later groups never get the action', async (t) => {
  const { rolloutId, report, groupOf } = await rehearse(t, ['--group-failure-rate', '1=50%', '--idle-exit', '6', '--duration', '240']);
  t.is(report.ended, 'idle');
  const first = report.devices.filter((record) => groupOf.get(record.id) === 1);
  const later = report.devices.filter((record) => groupOf.get(record.id) !== 1);
  // Every second installation of the group fails: of 25, the 2nd, 4th, … 24th.
  const failed = Math.floor(first.length / 2);
  const succeeded = first.length - failed;
  t.is(first.filter((record) => record.result === 'failure').length, failed, 'every second installation of group 1 failed');
  t.is(first.filter((record) => record.result === 'success').length, succeeded);
  t.true(later.every((record) => record.actionId === undefined), 'no device of a later group saw an action');
  t.like(report.summary, { success: succeeded, failure: failed, noAction: later.length });
  // The server's record.
  const rollout = await rollouts.rollout(rolloutId);
  t.is(rollout.status, 'paused');
  const groups = await rollouts.groups(rolloutId);
  t.is(groups[0]!.status, 'error');
  t.is(groups[0]!.totalTargetsPerStatus.error, failed);
  t.is(groups[0]!.totalTargetsPerStatus.finished, succeeded);
  for (const group of groups.slice(1)) {
    t.is(group.status, 'scheduled', group.name);
    t.is(group.totalTargetsPerStatus.finished ?? 0, 0, group.name);
    t.is(group.totalTargetsPerStatus.running ?? 0, 0, group.name);
  }
  // hawkBit made the later groups' actions at the start, as scheduled: no device ever reported on one.
  for (const record of later.filter((_, index) => index % 25 === 0)) {
    for (const action of await mgmt.getActions(record.id)) {
      const types = (await mgmt.getActionStatus(record.id, action.id)).map((status) => status.type);
      t.deepEqual(types.filter((type) => type !== 'scheduled'), [], `${record.id} (group ${groupOf.get(record.id)}), action ${action.id}: ${types.join(', ')}`);
    }
  }
});
