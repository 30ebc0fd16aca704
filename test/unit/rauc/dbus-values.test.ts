import test from 'ava';
import { Variant } from 'dbus-next';
import { installArgsToDbus, toProgress, toProperties, toSlotStatus, unwrap } from '../../../src/rauc/dbus-values.js';
import { isRaucArgumentError } from '../../../src/rauc/index.js';

const signatures = (args: Record<string, Variant>) => Object.fromEntries(Object.entries(args).map(([key, v]) => [key, [v.signature, v.value]]));

test('install args map to RAUC keys with their D-Bus types', (t) => {
  const args = installArgsToDbus({
    ignoreCompatible: true,
    httpHeaders: ['Authorization: TargetToken abc', 'X-A: b'],
    tlsCert: '/c.pem',
    tlsKey: '/k.pem',
    tlsCa: '/ca.pem',
    tlsNoVerify: false,
  });
  t.deepEqual(signatures(args), {
    'ignore-compatible': ['b', true],
    'http-headers': ['as', ['Authorization: TargetToken abc', 'X-A: b']],
    'tls-cert': ['s', '/c.pem'],
    'tls-key': ['s', '/k.pem'],
    'tls-ca': ['s', '/ca.pem'],
    'tls-no-verify': ['b', false],
  });
});

test('no args, or only undefined ones, send an empty a{sv}', (t) => {
  t.deepEqual(installArgsToDbus(undefined), {});
  t.deepEqual(installArgsToDbus({ tlsCa: undefined }), {});
});

test('an unknown install arg is refused before anything is sent', (t) => {
  const error = t.throws(() => installArgsToDbus({ bogus: 1 } as never));
  t.true(isRaucArgumentError(error));
  t.regex(error.message, /bogus/);
});

test('unwrap removes nested Variants and keeps bigint', (t) => {
  const value = unwrap({ a: new Variant('v', new Variant('t', 5n)), b: [new Variant('s', 'x')] });
  t.deepEqual(value, { a: 5n, b: ['x'] });
});

test('Progress (isi) becomes percentage, message, depth; anything else is ignored', (t) => {
  t.deepEqual(toProgress(new Variant('(isi)', [40, 'Checking bundle done.', 2])), { percentage: 40, message: 'Checking bundle done.', depth: 2 });
  t.is(toProgress([1, 2]), undefined);
  t.is(toProgress(['1', 'x', 1]), undefined);
});

test('properties read from GetAll, missing ones as empty text', (t) => {
  const props = toProperties({ Operation: new Variant('s', 'idle'), Compatible: new Variant('s', 'Test Device'), BootSlot: new Variant('s', 'B') });
  t.deepEqual(props, { operation: 'idle', lastError: '', compatible: 'Test Device', variant: '', bootSlot: 'B' });
});

test('slot status is typed, sorted by name, with every property in raw', (t) => {
  const slots = toSlotStatus([
    ['rootfs.1', { bootname: new Variant('s', 'B'), state: new Variant('s', 'inactive'), 'bundle.version': new Variant('s', '2.0'), size: new Variant('t', 65536n) }],
    ['rootfs.0', { class: new Variant('s', 'rootfs'), bootname: new Variant('s', 'A'), state: new Variant('s', 'booted'), 'boot-status': new Variant('s', 'good') }],
    ['appfs.0', { class: new Variant('s', 'appfs'), state: new Variant('s', 'active') }],
  ]);
  t.deepEqual(slots.map((slot) => slot.name), ['appfs.0', 'rootfs.0', 'rootfs.1']);
  t.is(slots[1]?.bootStatus, 'good');
  t.is(slots[1]?.class, 'rootfs');
  t.is(slots[2]?.bundleVersion, '2.0');
  t.is(slots[2]?.raw['size'], 65536n);
  t.is(slots[2]?.sha256, undefined);
});

test('a malformed slot status answer is an error, not a guess', (t) => {
  t.throws(() => toSlotStatus('nope'), { instanceOf: TypeError });
  t.throws(() => toSlotStatus([[1, {}]]), { instanceOf: TypeError });
});
