import test from 'ava';
import { DBusError } from 'dbus-next';
import { isUnknownMethod, mapCallError } from '../../../src/rauc/call-errors.js';
import {
  absoluteSource,
  isRaucArgumentError,
  isRaucBusyError,
  isRaucCallError,
  isRaucUnavailableError,
  isRaucUnsupportedError,
  isRaucVanishedError,
  RaucInstallError,
} from '../../../src/rauc/index.js';

const GERROR = 'org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code30';
const map = (type: string, text: string) => mapCallError('Mark', new DBusError(type, text), 'system bus');

test('service missing maps to RaucUnavailableError', (t) => {
  t.true(isRaucUnavailableError(map('org.freedesktop.DBus.Error.ServiceUnknown', 'not provided')));
  t.true(isRaucUnavailableError(map('org.freedesktop.DBus.Error.NameHasNoOwner', 'no owner')));
});

test('RAUC leaving before it answered maps to RaucVanishedError', (t) => {
  t.true(isRaucVanishedError(map('org.freedesktop.DBus.Error.NoReply', 'disconnected')));
});

test('both spellings of "already processing" map to RaucBusyError', (t) => {
  t.true(isRaucBusyError(map(GERROR, 'Already processing a different method')));
  t.true(isRaucBusyError(map(GERROR, 'already processing a different method')));
});

test('unknown method maps to RaucUnsupportedError and is recognisable', (t) => {
  const dbusError = new DBusError('org.freedesktop.DBus.Error.UnknownMethod', "Method 'InstallBundle' does not exist");
  t.true(isUnknownMethod(dbusError));
  t.true(isRaucUnsupportedError(mapCallError('InstallBundle', dbusError, 'system bus')));
  t.false(isUnknownMethod(new DBusError(GERROR, 'x')));
});

test('other RAUC errors keep the GError name and RAUC text', (t) => {
  const error = map(GERROR, 'No slot with class rootfs and name rootfs.9 found');
  t.true(isRaucCallError(error));
  if (!isRaucCallError(error)) return;
  t.is(error.method, 'Mark');
  t.is(error.dbusName, GERROR);
  t.is(error.dbusMessage, 'No slot with class rootfs and name rootfs.9 found');
  t.regex(error.message, /No slot with class rootfs and name rootfs\.9 found/);
});

test('non-D-Bus errors pass through unchanged', (t) => {
  const abort = new DOMException('stop', 'AbortError');
  t.is(mapCallError('Mark', abort, 'system bus'), abort);
});

test('RaucInstallError carries the result code and LastError verbatim', (t) => {
  const text = "Installation error: Compatible mismatch: Expected 'Test Device' but bundle manifest has 'Other Device'";
  const error = new RaucInstallError({ resultCode: 1, lastError: text });
  t.is(error.code, 'RAUC_INSTALL_FAILED');
  t.is(error.resultCode, 1);
  t.is(error.lastError, text);
  t.true(error.message.includes(text));
  t.regex(new RaucInstallError({ resultCode: 1, lastError: '' }).message, /no LastError given/);
});

test('relative bundle paths become absolute; URLs and absolute paths pass', (t) => {
  t.is(absoluteSource('b.raucb'), `${process.cwd()}/b.raucb`);
  t.is(absoluteSource('/data/b.raucb'), '/data/b.raucb');
  t.is(absoluteSource('https://h/b.raucb'), 'https://h/b.raucb');
  t.true(isRaucArgumentError(t.throws(() => absoluteSource(' '))));
});
