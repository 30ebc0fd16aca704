import test from 'ava';
import { DEFAULT_SYSTEM_BUS_ADDRESS, isRaucUnavailableError, resolveBus } from '../../../src/rauc/index.js';

test('default is the system bus at the well-known socket', (t) => {
  t.deepEqual(resolveBus(undefined, {}), { kind: 'system', address: DEFAULT_SYSTEM_BUS_ADDRESS });
});

test('DBUS_SYSTEM_BUS_ADDRESS overrides the system socket', (t) => {
  t.deepEqual(resolveBus(undefined, { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/run/x' }), { kind: 'system', address: 'unix:path=/run/x' });
});

test('DBUS_STARTER_BUS_TYPE=session picks the session bus from DBUS_SESSION_BUS_ADDRESS', (t) => {
  const env = { DBUS_STARTER_BUS_TYPE: 'session', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/s' };
  t.deepEqual(resolveBus(undefined, env), { kind: 'session', address: 'unix:path=/tmp/s' });
});

test('other DBUS_STARTER_BUS_TYPE values keep the system bus', (t) => {
  const env = { DBUS_STARTER_BUS_TYPE: 'system', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/s' };
  t.is(resolveBus(undefined, env).kind, 'system');
});

test('session bus without an address is a clear RaucUnavailableError', (t) => {
  const error = t.throws(() => resolveBus('session', {}));
  t.true(isRaucUnavailableError(error));
  t.regex(error.message, /DBUS_SESSION_BUS_ADDRESS is not set/);
});

test('an explicit choice wins over the environment', (t) => {
  const env = { DBUS_STARTER_BUS_TYPE: 'session', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/s' };
  t.is(resolveBus('system', env).kind, 'system');
  t.deepEqual(resolveBus({ address: 'unix:path=/tmp/t' }, env), { kind: 'address', address: 'unix:path=/tmp/t' });
  t.true(isRaucUnavailableError(t.throws(() => resolveBus({ address: ' ' }, env))));
});
