import test from 'ava';
import { Capture } from '../../helpers/capture.js';
import { createLogger } from '../../../src/log/index.js';
import { DbusInstaller } from '../../../src/rauc/index.js';
import { withFake } from './fake-setup.js';

// A RAUC with InspectBundle but without transaction-id (1.9): only its answer to the first install can
// tell, and that answer starts nothing (RAUC checks the keys first).
const ID = '6d1f3c63-0d7a-5b0e-8f43-2b8c9d5e7a10';

test('RAUC 1.9 (InspectBundle, no transaction-id): features say "unknown"; the install goes on without the key, once refused', async (t) => {
  const { fake, bus, bundle } = await withFake(t, { inspectBundle: true, bundle: { version: '4.2' } });
  const logs = new Capture();
  const installer = new DbusInstaller({ bus: { address: bus.address }, log: createLogger({ level: 'debug', format: 'text', stream: logs }) });
  t.teardown(() => installer.close());
  t.like(await installer.features(), { inspectBundle: true, transactionId: 'unknown', requireManifestHash: 'no' });
  t.like(await installer.inspect(bundle.path), { compatible: 'Test Device', version: '4.2', manifestHash: undefined, format: 'plain' });

  t.deepEqual(await installer.install(bundle.path, { args: { transactionId: ID } }), { transactionId: undefined });
  const installs = fake.calls.filter((call) => call.method === 'InstallBundle');
  t.is(installs.length, 1, 'the refused call started nothing: one install');
  t.deepEqual(installs[0]?.args, {}, 'sent again without transaction-id');
  t.regex(logs.text, /this RAUC does not take transaction-id \(it answered "Unsupported key: transaction-id"\): installing without it/);
  t.like(await installer.features(), { transactionId: 'no' }, 'RAUC\'s answer is kept');

  await installer.install(bundle.path, { args: { transactionId: ID } });
  t.deepEqual(fake.calls.filter((call) => call.method === 'InstallBundle').map((call) => call.args), [{}, {}], 'not offered again');
  t.is(logs.text.match(/does not take transaction-id/g)?.length, 1, 'said once');
});

test('RAUC 1.8 (the fake without InspectBundle): transaction-id is never sent', async (t) => {
  const { fake, installer, bundle } = await withFake(t);
  t.like(await installer.features(), { inspectBundle: false, transactionId: 'no' });
  t.deepEqual(await installer.install(bundle.path, { args: { transactionId: ID } }), { transactionId: undefined });
  t.deepEqual(fake.calls.find((call) => call.method === 'InstallBundle')?.args, {});
});
