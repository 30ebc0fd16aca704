import test from 'ava';
import { Variant } from 'dbus-next';
import type { BusSignal } from '../../../src/rauc/bus-connection.js';
import { InstallWatch } from '../../../src/rauc/install-watch.js';
import { isRaucInstallError, isRaucVanishedError, type InstallProgress } from '../../../src/rauc/index.js';
import { silentLogger } from '../../../src/log/index.js';

const OWNER = ':1.7';
const IFACE = 'de.pengutronix.rauc.Installer';

function changed(props: Record<string, Variant>, sender = OWNER): BusSignal {
  return { sender, path: '/', interface: 'org.freedesktop.DBus.Properties', member: 'PropertiesChanged', body: [IFACE, props, []] };
}
const progress = (p: number, m: string, d: number) => changed({ Progress: new Variant('(isi)', [p, m, d]) });
const completed = (code: number, sender = OWNER): BusSignal => ({ sender, path: '/', interface: IFACE, member: 'Completed', body: [code] });
const ownerChanged = (oldOwner: string, newOwner: string): BusSignal => ({
  sender: 'org.freedesktop.DBus',
  path: '/org/freedesktop/DBus',
  interface: 'org.freedesktop.DBus',
  member: 'NameOwnerChanged',
  body: ['de.pengutronix.rauc', oldOwner, newOwner],
});

function watch(readLastError = async () => 'read by Get') {
  const seen: InstallProgress[] = [];
  const w = new InstallWatch({ onProgress: (p) => seen.push(p), readLastError, log: silentLogger() });
  return { w, seen };
}

test('progress is forwarded in order and Completed(0) resolves', async (t) => {
  const { w, seen } = watch();
  w.accept(OWNER);
  w.handle(progress(0, 'Installing', 1));
  w.handle(progress(100, 'Installing done.', 1));
  w.handle(completed(0));
  await t.notThrowsAsync(w.done);
  t.deepEqual(seen.map((p) => [p.percentage, p.message, p.depth]), [[0, 'Installing', 1], [100, 'Installing done.', 1]]);
});

test('signals before the InstallBundle reply belong to an earlier install and are ignored', async (t) => {
  const { w, seen } = watch();
  w.handle(progress(100, 'Installing done.', 1));
  w.handle(completed(1));
  w.accept(OWNER);
  w.handle(completed(0));
  await t.notThrowsAsync(w.done);
  t.is(seen.length, 0);
});

test('signals from another sender are ignored', async (t) => {
  const { w } = watch();
  w.accept(OWNER);
  w.handle(completed(1, ':1.99'));
  w.handle(completed(0));
  await t.notThrowsAsync(w.done);
});

test('Completed(1) rejects with the LastError seen before it', async (t) => {
  const { w } = watch(async () => t.fail('LastError was known') as never);
  w.accept(OWNER);
  w.handle(changed({ LastError: new Variant('s', '') }));
  w.handle(changed({ LastError: new Variant('s', 'signature verification failed: x') }));
  w.handle(completed(1));
  const error = await t.throwsAsync(w.done);
  t.true(isRaucInstallError(error));
  if (isRaucInstallError(error)) t.is(error.lastError, 'signature verification failed: x');
});

test('Completed(1) without a LastError change reads LastError', async (t) => {
  const { w } = watch(async () => 'same text as last time');
  w.accept(OWNER);
  w.handle(completed(1));
  const error = await t.throwsAsync(w.done);
  t.true(isRaucInstallError(error));
  if (isRaucInstallError(error)) t.is(error.lastError, 'same text as last time');
});

test('the RAUC that accepted the install leaving the bus rejects with RaucVanishedError', async (t) => {
  const { w } = watch();
  w.accept(OWNER);
  w.handle(ownerChanged(':1.3', ':1.4'));
  w.handle(ownerChanged(OWNER, ''));
  const error = await t.throwsAsync(w.done);
  t.true(isRaucVanishedError(error));
});

test('an owner change before the reply is left to the call (a new RAUC may accept it)', async (t) => {
  const { w } = watch();
  w.handle(ownerChanged(':1.3', ''));
  w.handle(ownerChanged('', OWNER));
  w.accept(OWNER);
  w.handle(completed(0));
  await t.notThrowsAsync(w.done);
});

test('a NameOwnerChanged not sent by the bus daemon is ignored', async (t) => {
  const { w } = watch();
  w.accept(OWNER);
  w.handle({ ...ownerChanged(OWNER, ''), sender: ':1.50' });
  w.handle(completed(0));
  await t.notThrowsAsync(w.done);
});

test('a throwing progress callback does not break the install', async (t) => {
  const w = new InstallWatch({ onProgress: () => { throw new Error('boom'); }, readLastError: async () => '', log: silentLogger() });
  w.accept(OWNER);
  w.handle(progress(0, 'Installing', 1));
  w.handle(completed(0));
  await t.notThrowsAsync(w.done);
});
