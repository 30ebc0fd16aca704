import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { parseFleetArguments } from '../../../src/cli/fleet-args.js';
import { UsageError } from '../../../src/cli/parse-args.js';
import { devicesFromCsv, endReason, EvenSpread, laneOf, numberedDevices, percentile, type DeviceRecord } from '../../../src/fleet/index.js';

test('numbered devices: prefix + zero-padded index, split into consecutive groups', (t) => {
  const devices = numberedDevices('fleet-', 10, 3);
  t.is(devices[0]!.id, 'fleet-0000');
  t.is(devices[9]!.id, 'fleet-0009');
  t.deepEqual(devices.map((device) => device.group), ['1', '1', '1', '1', '2', '2', '2', '2', '3', '3']);
  t.is(numberedDevices('d', 12_000)[11_999]!.id, 'd11999');
  t.throws(() => numberedDevices('bad id/', 1), { message: /'bad id\/0000' is not a usable controller id/ });
});

test('device list: columns in any order, comments, and every error names the file and line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-csv-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'devices.csv');
  await writeFile(file, '# rehearsal\ngroup,controller_id,target_token\na,dev-1,tok1\nb,dev-2,\n\n');
  t.deepEqual(devicesFromCsv(file), [
    { id: 'dev-1', token: 'tok1', group: 'a' },
    { id: 'dev-2', token: undefined, group: 'b' },
  ]);
  const bad = async (text: string, message: RegExp) => {
    await writeFile(file, text);
    t.throws(() => devicesFromCsv(file), { message }, text);
  };
  await bad('id,token\nx,y\n', /devices\.csv:1: the header names no 'controller_id' column \(found: id, token\)/);
  await bad('controller_id,group\ndev-1\n', /devices\.csv:2: 1 fields, the header has 2/);
  await bad('controller_id\ndev-1\ndev-1\n', /devices\.csv:3: controller id 'dev-1' appears twice/);
  await bad('controller_id\nno spaces\n', /devices\.csv:2: 'no spaces' is not a usable controller id/);
  await bad('controller_id\n', /no devices below the header line/);
  t.throws(() => devicesFromCsv(join(dir, 'missing.csv')), { message: /missing\.csv: cannot read the device list/ });
});

test('fleet options: defaults, rates as shares or percentages, and clear refusals', (t) => {
  const args = parseFleetArguments(['-c', 'f.conf', '--devices', '100', '--group-failure-rate', '1=50%', '--failure-rate', '0.05', '--install-time', '2.5']);
  t.like(args, { devices: 100, prefix: 'fleet-', groups: 1, failureRate: 0.05, installMs: 2500, rebootMs: 5000, artifacts: 'discard', downloadConcurrency: 8, writesPerSecond: 40, view: true });
  t.is(args.groupFailureRates.get('1'), 0.5);
  const refused = (argv: string[], message: RegExp) => t.throws(() => parseFleetArguments(argv), { instanceOf: UsageError, message }, argv.join(' '));
  refused(['-c', 'f'], /give either --devices N or --device-list FILE/);
  refused(['--devices', '2', '--device-list', 'x.csv'], /give either/);
  refused(['--devices', '0'], /--devices 0: expected a whole number from 1/);
  refused(['--devices', '2', '--failure-rate', '150%'], /--failure-rate 150%: expected a rate from 0 to 1/);
  refused(['--devices', '2', '--group-failure-rate', '50%'], /expected GROUP=RATE/);
  refused(['--devices', '2', '--artifacts', 'keep'], /--artifacts keep: expected discard or store/);
  refused(['--devices', '2', '--install-time', 'soon'], /--install-time soon: expected seconds/);
  refused(['--devices', '2', '--device'], /Unknown option '--device' \(did you mean '--devices'\?\)/);
  refused(['--device-list', 'x.csv', '--groups', '2'], /--groups and --prefix go with --devices/);
});

test('an even spread fails exactly the share asked for, evenly', (t) => {
  const take = (rate: number, count: number) => {
    const spread = new EvenSpread(rate);
    return Array.from({ length: count }, () => spread.next());
  };
  t.deepEqual(take(0.5, 6), [false, true, false, true, false, true]);
  t.is(take(0.05, 100).filter(Boolean).length, 5);
  t.is(take(0.05, 20).indexOf(true), 19);
  t.false(take(0, 50).some(Boolean));
  t.true(take(1, 50).every(Boolean));
});

test('lanes: writes are POST/PUT, downloads the artifact links (hawkBit and goosebit), everything else a read', (t) => {
  t.is(laneOf('POST', '/DEFAULT/controller/v1/d/deploymentBase/3/feedback'), 'write');
  t.is(laneOf('PUT', '/DEFAULT/controller/v1/d/configData'), 'write');
  t.is(laneOf('GET', '/DEFAULT/controller/v1/d/softwaremodules/7/artifacts/u.raucb'), 'download');
  t.is(laneOf('GET', '/api/v1/download/12'), 'download');
  t.is(laneOf('GET', '/DEFAULT/controller/v1/d/deploymentBase/3?c=1'), 'read');
  t.is(laneOf('GET', '/DEFAULT/controller/v1/d'), 'read');
});

test('percentiles by nearest rank', (t) => {
  const values = Array.from({ length: 100 }, (_, index) => index + 1);
  t.is(percentile(values, 50), 50);
  t.is(percentile(values, 95), 95);
  t.is(percentile([7], 95), 7);
  t.is(percentile([], 50), undefined);
});

test('end conditions: done, idle after the last action, duration', (t) => {
  const record = (phase: string, closedAt?: number): DeviceRecord =>
    ({ id: 'd', group: '1', phase, actionId: closedAt === undefined ? undefined : '1', assignedAt: 0, closedAt, result: 'success', details: undefined, actionsClosed: closedAt === undefined ? 0 : 1, feedback: 0, bytes: 0, errors: 0, throttled: 0, lastError: undefined, reboots: 0 }) as DeviceRecord;
  const none = { whenDone: false, idleMs: undefined, durationMs: undefined };
  t.is(endReason({ ...none, whenDone: true }, [record('idle', 5), record('idle', 6)], 10, 10, undefined, true).ended, 'done');
  t.is(endReason({ ...none, whenDone: true }, [record('idle', 5), record('idle', 6)], 10, 10, undefined, false).ended, undefined, 'nothing closed in this run yet');
  t.is(endReason({ ...none, whenDone: true }, [record('idle', 5), record('idle')], 10, 10, undefined, true).ended, undefined);
  const idle = { ...none, idleMs: 1000 };
  const first = endReason(idle, [record('idle', 5), record('idle')], 10, 100, undefined, true);
  t.is(first.idleSince, 100);
  t.is(endReason(idle, [record('idle', 5), record('idle')], 10, 1099, first.idleSince, true).ended, undefined);
  t.is(endReason(idle, [record('idle', 5), record('idle')], 10, 1100, first.idleSince, true).ended, 'idle');
  t.is(endReason(idle, [record('idle', 5), record('downloading')], 10, 1100, first.idleSince, true).idleSince, undefined, 'an action under way resets it');
  t.is(endReason({ ...none, durationMs: 50 }, [record('downloading')], 50, 50, undefined, false).ended, 'duration');
});
