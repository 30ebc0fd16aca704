import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { isRebootError, LinuxSystem } from '../../../src/system/index.js';
import { silentLogger } from '../../../src/log/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hr-system-'));
const record = join(dir, 'calls');
const notify = join(dir, 'systemd-notify');
writeFileSync(notify, `#!/bin/sh\necho "$@" >> ${record}\n`);
chmodSync(notify, 0o755);

test('notify runs systemd-notify --pid with the assignments, only with NOTIFY_SOCKET', async (t) => {
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
  await new LinuxSystem({ log: silentLogger(), env }).notify({ READY: '1' });
  t.throws(() => readFileSync(record, 'utf8'), undefined, 'nothing without NOTIFY_SOCKET');
  await new LinuxSystem({ log: silentLogger(), env: { ...env, NOTIFY_SOCKET: '/run/systemd/notify' } }).notify({ READY: '1', STATUS: 'polling\nnow' });
  t.is(readFileSync(record, 'utf8'), `--pid=${process.pid} READY=1 STATUS=polling now\n`);
});

test('watchdog interval from WATCHDOG_USEC, only for our pid', (t) => {
  t.is(new LinuxSystem({ log: silentLogger(), env: { WATCHDOG_USEC: '600000000' } }).watchdogIntervalMs, 600_000);
  t.is(new LinuxSystem({ log: silentLogger(), env: { WATCHDOG_USEC: '600000000', WATCHDOG_PID: '1' } }).watchdogIntervalMs, undefined);
  t.is(new LinuxSystem({ log: silentLogger(), env: {} }).watchdogIntervalMs, undefined);
});

test('boot id is read from the kernel file', async (t) => {
  const file = join(dir, 'boot_id');
  writeFileSync(file, 'f00d\n');
  t.is(await new LinuxSystem({ log: silentLogger(), bootIdPath: file }).bootId(), 'f00d');
  t.regex(await new LinuxSystem({ log: silentLogger() }).bootId(), /^[0-9a-f-]{36}$/);
});

test('HAWKBIT_RAUC_BOOT_ID_FILE points the boot id elsewhere (for tests of the built service); empty means unset', async (t) => {
  const file = join(dir, 'simulated_boot_id');
  writeFileSync(file, 'second-boot\n');
  t.is(await new LinuxSystem({ log: silentLogger(), env: { HAWKBIT_RAUC_BOOT_ID_FILE: file } }).bootId(), 'second-boot');
  const kernel = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  t.is(await new LinuxSystem({ log: silentLogger(), env: { HAWKBIT_RAUC_BOOT_ID_FILE: '' } }).bootId(), kernel);
  t.is(await new LinuxSystem({ log: silentLogger(), env: {} }).bootId(), kernel);
  const explicit = join(dir, 'boot_id_explicit');
  writeFileSync(explicit, 'explicit\n');
  t.is(await new LinuxSystem({ log: silentLogger(), env: { HAWKBIT_RAUC_BOOT_ID_FILE: file }, bootIdPath: explicit }).bootId(), 'explicit', 'an explicit path wins');
});

test('reboot runs the reboot command; a failure is a RebootError naming it', async (t) => {
  await new LinuxSystem({ log: silentLogger(), rebootCommand: ['true'] }).reboot();
  const error = await t.throwsAsync(new LinuxSystem({ log: silentLogger(), rebootCommand: ['sh', '-c', 'echo no bus >&2; exit 1'] }).reboot());
  t.true(isRebootError(error));
  t.regex(error!.message, /reboot request 'sh -c .*' failed/);
});
