import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { REPORT_FILE, type FleetReport } from '../../src/fleet/index.js';
import { FakeHawkbit } from '../fakes/hawkbit/index.js';
import { fleetOptions, fleetSetup, GATEWAY_TOKEN, numberedDevices, runTestFleet } from '../helpers/fleet-rig.js';

// The fleet against the fake hawkBit: real agents (DDI client, downloader, lifecycle, state) with the
// simulated RAUC and reboot. What is asserted is what the server recorded.

const deployment = (size = 50_000) => ({
  type: 'forced' as const,
  chunks: [{ part: 'os', name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs.raucb', content: Buffer.alloc(size, 0x5a) }] }],
});

async function start(t: ExecutionContext, client: Record<string, string> = {}) {
  const hb = await FakeHawkbit.start({ pollingSleep: '00:00:01', gatewayToken: GATEWAY_TOKEN });
  const setup = await fleetSetup(hb, client);
  t.teardown(async () => {
    await hb.close();
    await setup.cleanup();
  });
  return { hb, ...setup };
}

const executions = (body: unknown) => {
  const status = (body as { status: { execution: string; result: { finished: string }; code?: number; details?: string[] } }).status;
  return { execution: status.execution, finished: status.result.finished, code: status.code, details: status.details ?? [] };
};

test('every device runs the lifecycle; the failure rate of its group decides the outcome the server records; the report counts it', async (t) => {
  const { hb, dir, config } = await start(t);
  const devices = numberedDevices('dev-', 6, 2);
  const actions = new Map(devices.map((device) => [device.id, hb.addTarget(device.id).pushDeployment(deployment()).actionId]));
  const report = await runTestFleet(fleetOptions(dir, config, devices, { failureRate: (group) => (group === '2' ? 1 : 0) }));

  for (const device of devices) {
    const target = hb.target(device.id)!;
    const action = target.action(actions.get(device.id)!);
    const record = report.devices.find((entry) => entry.id === device.id)!;
    const closed = action.feedback.map(executions).filter((entry) => entry.execution === 'closed');
    t.is(closed.length, 1, `${device.id}: one final feedback`);
    if (device.group === '1') {
      t.is(action.status, 'finished', device.id);
      t.regex(closed[0]!.details[0]!, /rebooted into rootfs\.1 \(B\) running 2\.0 and marked it good \(RAUC transaction /);
      t.is(record.reboots, 1);
      t.is(record.result, 'success');
    } else {
      t.is(action.status, 'error', device.id);
      t.regex(closed[0]!.details[0]!, /simulated write error/);
      t.is(record.reboots, 0);
      t.is(record.result, 'failure');
    }
    t.is(record.feedback, action.feedback.length, `${device.id}: the feedback the server accepted`);
    t.is(record.bytes, 50_000);
    t.is(record.actionId, actions.get(device.id));
    t.true(record.closedAt! >= record.assignedAt!);
  }
  t.is(report.ended, 'done');
  t.like(report.summary, { devices: 6, success: 3, failure: 3, inProgress: 0, noAction: 0, bytes: 300_000 });
  t.is(report.timeToClosedMs.count, 6);
  t.true(report.timeToClosedMs.p50! <= report.timeToClosedMs.p95! && report.timeToClosedMs.p95! <= report.timeToClosedMs.max!);
  t.deepEqual(Object.keys(report.answers).filter((status) => Number(status) >= 400), [], 'no request was refused');
  // Every answer that reached a device is counted; a poll still on its way when the run ends is cut off
  // (its answer never arrives), at most one per device.
  const answered = Object.values(report.answers).reduce((a, b) => a + b, 0);
  t.true(answered <= hb.requests.length && answered >= hb.requests.length - devices.length, `${answered} answers counted, ${hb.requests.length} requests served`);
  const written = JSON.parse(await readFile(join(dir, REPORT_FILE), 'utf8')) as FleetReport;
  t.deepEqual(written.summary, report.summary);
});

test('rollback rate 1: every device boots the old slot again and the server records closed/failure "rolled back" (2002)', async (t) => {
  const { hb, dir, config } = await start(t);
  const devices = numberedDevices('rb-', 3);
  for (const device of devices) hb.addTarget(device.id).pushDeployment(deployment());
  const report = await runTestFleet(fleetOptions(dir, config, devices, { rollbackRate: 1 }));
  for (const device of devices) {
    const last = executions(hb.target(device.id)!.feedback.at(-1)!.body);
    t.like(last, { execution: 'closed', finished: 'failure', code: 2002 });
    t.regex(last.details[0]!, /rolled back: booted rootfs\.0/);
  }
  t.like(report.summary, { success: 0, failure: 3, rolledBack: 3 });
});

test('downloads: at most --download-concurrency run at once, all devices together (the server saw the starts)', async (t) => {
  // 600 kB at 300 kB/s: each download lasts about 2 s on the device's side.
  const { hb, dir, config } = await start(t, { download_speed_limit: '300000' });
  const devices = numberedDevices('dl-', 6);
  for (const device of devices) hb.addTarget(device.id).pushDeployment(deployment(600_000));
  const options = fleetOptions(dir, config, devices);
  const report = await runTestFleet({ ...options, limits: { ...options.limits, download: { concurrency: 2, perSecond: Number.POSITIVE_INFINITY } } });
  t.is(report.summary.success, 6);
  const starts = hb.downloads.map((download) => download.startedAt).sort((a, b) => a - b);
  t.is(starts.length, 6);
  for (let index = 2; index < starts.length; index++) {
    t.true(starts[index]! - starts[index - 2]! >= 1000, `download ${index + 1} started ${starts[index]! - starts[index - 2]!} ms after download ${index - 1}`);
  }
});

test('writes: with --feedback-concurrency 1 the next write reaches the server only after the last one was answered', async (t) => {
  const { hb, dir, config } = await start(t);
  const devices = numberedDevices('wr-', 4);
  for (const device of devices) hb.addTarget(device.id).pushDeployment(deployment());
  hb.delayNext(200, { count: 1000, match: /\/feedback$/ });
  const options = fleetOptions(dir, config, devices);
  const report = await runTestFleet({ ...options, limits: { ...options.limits, write: { concurrency: 1, perSecond: Number.POSITIVE_INFINITY } } });
  t.is(report.summary.success, 4);
  const writes = hb.requests.filter((request) => request.method !== 'GET');
  t.true(writes.length >= 4 * 8);
  for (let index = 1; index < writes.length; index++) {
    if (!writes[index - 1]!.path.endsWith('/feedback')) continue;
    t.true(writes[index]!.at - writes[index - 1]!.at >= 195, `write ${index} came ${writes[index]!.at - writes[index - 1]!.at} ms after a delayed feedback`);
  }
});

test('429 with Retry-After pauses every device\'s writes for that long; the refused feedback is sent again and the report counts the 429s', async (t) => {
  const { hb, dir, config } = await start(t);
  const devices = numberedDevices('tm-', 4);
  for (const device of devices) hb.addTarget(device.id).pushDeployment(deployment());
  hb.failNext(1, 429, { retryAfter: 2, match: /\/feedback$/ });
  const report = await runTestFleet(fleetOptions(dir, config, devices));
  t.is(report.summary.success, 4);
  t.is(report.answers['429'], 1);
  t.is(report.requests.write.throttled, 1);
  const writes = hb.requests.filter((request) => request.method !== 'GET');
  const refused = writes.findIndex((request) => request.path.endsWith('/feedback'));
  const at = writes[refused]!.at;
  // Writes already under way when the 429 came back (at most the lane's concurrency) may arrive just after it.
  const during = writes.filter((request) => request.at > at + 100 && request.at < at + 1900);
  t.deepEqual(during.map((request) => `${request.method} ${request.path} +${request.at - at} ms`), []);
  const refusedDevice = /controller\/v1\/([^/]+)\//.exec(writes[refused]!.path)![1]!;
  t.is(report.devices.find((record) => record.id === refusedDevice)!.throttled, 1);
  t.is(hb.target(refusedDevice)!.actions[0]!.status, 'finished');
});

test('a stop during the installations keeps every device\'s state; the next run continues them to the end, each action reported once', async (t) => {
  const { hb, dir, config } = await start(t);
  const devices = numberedDevices('rs-', 3);
  const actions = new Map(devices.map((device) => [device.id, hb.addTarget(device.id).pushDeployment(deployment()).actionId]));
  const stop = new AbortController();
  const installing = () => devices.every((device) => hb.target(device.id)!.feedback.some((entry) => executions(entry.body).details.some((line) => line.startsWith('Copying image'))));
  const watcher = setInterval(() => installing() && stop.abort(), 20);
  t.teardown(() => clearInterval(watcher));
  const first = await runTestFleet(fleetOptions(dir, config, devices, { installMs: 3000 }), stop.signal);
  clearInterval(watcher);
  t.is(first.ended, 'stopped');
  t.like(first.summary, { inProgress: 3, success: 0 });
  for (const device of devices) {
    const state = JSON.parse(await readFile(join(dir, 'devices', device.id, 'state', 'state.json'), 'utf8')) as { phase: { kind: string } };
    t.is(state.phase.kind, 'installing', `${device.id} stopped while installing`);
    t.is(hb.target(device.id)!.action(actions.get(device.id)!).status, 'active');
  }

  const second = await runTestFleet(fleetOptions(dir, config, devices, { installMs: 200 }));
  t.is(second.ended, 'done');
  t.is(second.summary.success, 3);
  for (const device of devices) {
    const action = hb.target(device.id)!.action(actions.get(device.id)!);
    t.is(action.status, 'finished');
    t.is(action.feedback.map(executions).filter((entry) => entry.execution === 'closed').length, 1);
    const record = second.devices.find((entry) => entry.id === device.id)!;
    // Both runs' feedback is counted as answered; one the stop cut off on its way (a device sends one at a
    // time) reached the server without its answer reaching the device.
    t.true(record.feedback === action.feedback.length || record.feedback === action.feedback.length - 1, `the feedback of both runs is counted: ${record.feedback} of ${action.feedback.length}`);
    t.true(record.assignedAt! < Date.parse(second.startedAt), 'the time counts from the assignment in the first run');
    const rauc = JSON.parse(await readFile(join(dir, 'devices', device.id, 'rauc.json'), 'utf8')) as { booted: string; slots: { name: string; bundleVersion?: string }[] };
    t.is(rauc.booted, 'rootfs.1');
    t.is(rauc.slots.find((slot) => slot.name === 'rootfs.1')!.bundleVersion, '2.0');
  }
});
