import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { silentLogger } from '../../../src/log/index.js';
import { CLOCK_FLOOR_MS, SyncedClock } from '../../../src/system/index.js';

function dir(t: { teardown(fn: () => void): void }): string {
  const path = mkdtempSync(join(tmpdir(), 'hr-clock-unit-'));
  t.teardown(() => rmSync(path, { recursive: true, force: true }));
  return path;
}

/** Waits until the background command has answered (it runs at construction). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

test('systemd-timesyncd\'s flag file: timestamps from then on, checked again after recheckMs (synchronised: 10 ×)', (t) => {
  const syncFile = join(dir(t), 'synchronized');
  let now = Date.UTC(2027, 5, 1);
  const clock = new SyncedClock({ log: silentLogger(), syncFile, syncCommand: null, recheckMs: 60_000, now: () => now });
  t.is(clock.timestamp(), undefined);
  writeFileSync(syncFile, '');
  t.is(clock.timestamp(), undefined, 'not checked again before recheckMs');
  now += 60_000;
  t.is(clock.timestamp(), now);
  rmSync(syncFile);
  now += 60_000;
  t.is(clock.timestamp(), now, 'a synchronised clock is checked again only after 10 × recheckMs');
  now += 9 * 60_000;
  t.is(clock.timestamp(), undefined, 'lost synchronisation is noticed');
});

test('timedatectl-style command: "yes" trusts the clock, anything else or a missing command does not', async (t) => {
  const missing = join(dir(t), 'none');
  const yes = new SyncedClock({ log: silentLogger(), syncFile: missing, syncCommand: ['echo', 'yes'] });
  const no = new SyncedClock({ log: silentLogger(), syncFile: missing, syncCommand: ['echo', 'no'] });
  const absent = new SyncedClock({ log: silentLogger(), syncFile: missing, syncCommand: [join(missing, 'timedatectl')] });
  const failing = new SyncedClock({ log: silentLogger(), syncFile: missing, syncCommand: ['sh', '-c', 'echo yes; exit 1'] });
  await settle();
  const before = Date.now();
  const stamp = yes.timestamp();
  t.true(stamp !== undefined && stamp >= before && stamp <= Date.now());
  t.is(no.timestamp(), undefined);
  t.is(absent.timestamp(), undefined);
  t.is(failing.timestamp(), undefined);
});

test('never a time before the floor, whatever the system says', async (t) => {
  const syncFile = join(dir(t), 'synchronized');
  writeFileSync(syncFile, '');
  const early = new SyncedClock({ log: silentLogger(), syncFile, syncCommand: null, now: () => CLOCK_FLOOR_MS - 1 });
  t.is(early.timestamp(), undefined);
  const late = new SyncedClock({ log: silentLogger(), syncFile, syncCommand: null, now: () => CLOCK_FLOOR_MS });
  t.is(late.timestamp(), CLOCK_FLOOR_MS);
});
