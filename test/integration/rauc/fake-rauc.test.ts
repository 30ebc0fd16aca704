import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { isAbortError } from '../../../src/lib/abort.js';
import { silentLogger } from '../../../src/log/index.js';
import {
  DbusInstaller,
  isRaucBusyError,
  isRaucInstallError,
  isRaucUnavailableError,
  isRaucUnsupportedError,
  isRaucVanishedError,
  type InstallProgress,
} from '../../../src/rauc/index.js';
import { startPrivateBus } from '../../harness/dbus-daemon.js';
import { RAUC_18_SUCCESS } from '../../fakes/rauc/progress.js';
import { withFake } from './fake-setup.js';

test('success: InstallBundle gets the absolute path, the fake reads the exact bytes, progress arrives in order', async (t) => {
  const { fake, installer, bundle } = await withFake(t);
  const seen: InstallProgress[] = [];
  await installer.install(bundle.path, { onProgress: (p) => seen.push(p) });
  t.deepEqual(seen, [...RAUC_18_SUCCESS]);
  t.is(fake.calls.length, 1);
  t.is(fake.calls[0]?.method, 'InstallBundle');
  t.is(fake.calls[0]?.source, bundle.path);
  t.deepEqual(fake.calls[0]?.args, {});
  t.deepEqual(fake.calls[0]?.received, { sha256: bundle.sha256, size: bundle.size });
});

test('failure: LastError text reaches RaucInstallError verbatim', async (t) => {
  const lastError = 'Installation error: Compatible mismatch: Expected \'Test Device\' but bundle manifest has \'X\'';
  const { installer, bundle } = await withFake(t, { resultCode: 1, lastError });
  const seen: string[] = [];
  const error = await t.throwsAsync(installer.install(bundle.path, { onProgress: (p) => seen.push(p.message) }));
  t.true(isRaucInstallError(error));
  if (!isRaucInstallError(error)) return;
  t.is(error.resultCode, 1);
  t.is(error.lastError, lastError);
  t.true(error.message.includes(lastError));
  t.is(seen.at(-1), 'Installing failed.');
});

test('vanishing mid-install rejects with RaucVanishedError instead of hanging', async (t) => {
  const { fake, installer, bundle } = await withFake(t, { vanishMidInstall: true });
  const seen: InstallProgress[] = [];
  const error = await t.throwsAsync(installer.install(bundle.path, { onProgress: (p) => seen.push(p) }));
  t.true(isRaucVanishedError(error), String(error));
  t.true(fake.gone);
  t.true(seen.length > 0 && seen.length < RAUC_18_SUCCESS.length);
});

test('service missing: RaucUnavailableError from install and every query', async (t) => {
  const bus = await startPrivateBus();
  t.teardown(() => bus.stop());
  const installer = new DbusInstaller({ bus: { address: bus.address }, log: silentLogger() });
  t.teardown(() => installer.close());
  t.true(isRaucUnavailableError(await t.throwsAsync(installer.install('/tmp/x.raucb'))));
  t.true(isRaucUnavailableError(await t.throwsAsync(installer.properties())));
  t.true(isRaucUnavailableError(await t.throwsAsync(installer.slotStatus())));
});

test('no bus at the address: RaucUnavailableError', async (t) => {
  const installer = new DbusInstaller({ bus: { address: 'unix:path=/nonexistent/hawkbit-rauc-bus' }, log: silentLogger() });
  t.teardown(() => installer.close());
  const error = await t.throwsAsync(installer.properties());
  t.true(isRaucUnavailableError(error));
  t.regex(error?.message ?? '', /Cannot connect/);
});

test('legacy RAUC: falls back to Install(s) when InstallBundle is unknown', async (t) => {
  const { fake, installer, bundle } = await withFake(t, { legacyOnly: true });
  await installer.install(bundle.path);
  t.is(fake.calls.length, 1);
  t.is(fake.calls[0]?.method, 'Install');
  t.deepEqual(fake.calls[0]?.received, { sha256: bundle.sha256, size: bundle.size });
});

test('legacy RAUC with install args: clear RaucUnsupportedError, nothing installed', async (t) => {
  const { fake, installer, bundle } = await withFake(t, { legacyOnly: true });
  const error = await t.throwsAsync(installer.install(bundle.path, { args: { ignoreCompatible: true } }));
  t.true(isRaucUnsupportedError(error));
  t.regex(error?.message ?? '', /ignore-compatible/);
  t.is(fake.calls.length, 0);
});

test('streaming: URL and args arrive exactly; the fake downloads with the headers', async (t) => {
  const content = Buffer.from('streamed bundle bytes '.repeat(500));
  const headersSeen: string[] = [];
  const server = createServer((request, response) => {
    headersSeen.push(String(request.headers.authorization));
    if (request.headers.authorization !== 'TargetToken s3cret') response.writeHead(401).end();
    else response.end(content);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundle.raucb`;
  const { fake, installer } = await withFake(t);
  const args = {
    httpHeaders: ['Authorization: TargetToken s3cret', 'X-Device: 42'],
    tlsCert: '/etc/hawkbit/client.crt',
    tlsKey: '/etc/hawkbit/client.key',
    tlsCa: '/etc/hawkbit/ca.pem',
    tlsNoVerify: true,
  };
  await installer.install(url, { args });
  t.is(fake.calls[0]?.source, url);
  t.deepEqual(fake.calls[0]?.args, {
    'http-headers': ['Authorization: TargetToken s3cret', 'X-Device: 42'],
    'tls-cert': '/etc/hawkbit/client.crt',
    'tls-key': '/etc/hawkbit/client.key',
    'tls-ca': '/etc/hawkbit/ca.pem',
    'tls-no-verify': true,
  });
  t.deepEqual(headersSeen, ['TargetToken s3cret']);
  t.is(fake.calls[0]?.received?.size, content.length);
});

test('abort stops waiting; the install goes on in RAUC', async (t) => {
  const { fake, installer, bundle } = await withFake(t, { delayMs: 60_000 });
  const controller = new AbortController();
  const error: unknown = await installer.install(bundle.path, { signal: controller.signal, onProgress: () => controller.abort() }).then(
    () => 'resolved',
    (reason: unknown) => reason,
  );
  t.true(isAbortError(error, controller.signal), String(error));
  t.is(fake.operation, 'installing');
  t.true(isRaucBusyError(await t.throwsAsync(installer.install(bundle.path))));
});

test('busy RAUC: RaucBusyError, nothing started', async (t) => {
  const { fake, installer, bundle } = await withFake(t, { busy: true });
  t.true(isRaucBusyError(await t.throwsAsync(installer.install(bundle.path))));
  t.true(isRaucBusyError(await t.throwsAsync(installer.slotStatus())));
  t.is(fake.calls.filter((call) => call.method === 'InstallBundle').length, 0);
});

test('slot status, boot slot and Mark round-trip', async (t) => {
  const { installer } = await withFake(t, { bootSlot: 'B', compatible: 'Fake Board', variant: 'v2' });
  t.like(await installer.properties(), { operation: 'idle', compatible: 'Fake Board', variant: 'v2', bootSlot: 'B' });
  const before = await installer.slotStatus();
  t.deepEqual(before.map((slot) => [slot.name, slot.bootname, slot.state]), [['rootfs.0', 'A', 'inactive'], ['rootfs.1', 'B', 'booted']]);
  t.deepEqual(await installer.mark('good', 'booted'), { slot: 'rootfs.1', message: 'marked slot rootfs.1 as good' });
  t.deepEqual(await installer.mark('bad', 'other'), { slot: 'rootfs.0', message: 'marked slot rootfs.0 as bad' });
  t.is((await installer.slotStatus()).find((slot) => slot.name === 'rootfs.0')?.bootStatus, 'bad');
  t.deepEqual(await installer.mark('active', 'rootfs.0'), { slot: 'rootfs.0', message: 'activated slot rootfs.0' });
  t.is(await installer.primary(), 'rootfs.0');
});

test('DBUS_STARTER_BUS_TYPE=session selects the session bus by default', async (t) => {
  const { bus, bundle, fake } = await withFake(t);
  const installer = new DbusInstaller({ log: silentLogger(), env: bus.env });
  t.teardown(() => installer.close());
  await installer.install(bundle.path);
  t.is(fake.calls.length, 1);
});

test('one match rule per signal however many installs run', async (t) => {
  const { bus, installer, bundle } = await withFake(t);
  for (let i = 0; i < 3; i++) await installer.install(bundle.path);
  t.is(await matchRules(bus.address), 3);
});

/** The daemon's count of match rules on all connections (org.freedesktop.DBus.Debug.Stats). */
async function matchRules(address: string): Promise<number> {
  const { sessionBus, Message } = await import('dbus-next');
  const bus = sessionBus({ busAddress: address });
  try {
    const reply = await bus.call(
      new Message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus.Debug.Stats', member: 'GetStats' }),
    );
    const stats = reply?.body[0] as Record<string, { value: number }>;
    return stats['MatchRules']?.value ?? -1;
  } finally {
    bus.disconnect();
  }
}
