import test from 'ava';
import { silentLogger } from '../../../src/log/index.js';
import { DbusInstaller, isRaucUnsupportedError } from '../../../src/rauc/index.js';
import { RAUC_VERSIONS, RaucEnvironment } from '../../harness/rauc-environment.js';

// What each real RAUC shows in its introspection, and what the installer makes of it (docs/rauc.md).

for (const version of RAUC_VERSIONS) {
  test(`RAUC ${version}: features from introspection; InspectBundle where present; transaction-id where RAUC takes it`, async (t) => {
    const env = await RaucEnvironment.start({ version });
    t.teardown(() => env.stop());
    const installer = new DbusInstaller({ bus: { address: env.busAddress }, log: silentLogger() });
    t.teardown(() => installer.close());
    const features = await installer.features();
    t.true('InstallBundle' in features.methods && features.methods['GetSlotStatus']?.out === 'a(sa{sv})');
    const bundle = await env.buildBundle({ version: '7.0' });
    const id = '0b5c3c2e-8d0e-5f51-9a8e-3c0f6e9f2d11';
    if (version === '1.8') {
      t.like(features, { inspectBundle: false, transactionId: 'no', requireManifestHash: 'no' });
      t.true(isRaucUnsupportedError(await t.throwsAsync(installer.inspect(bundle))));
      t.deepEqual(await installer.install(bundle, { args: { transactionId: id } }), { transactionId: undefined }, 'not sent to a RAUC without it');
      t.is((await installer.slotStatus()).find((s) => s.name === 'rootfs.1')?.transaction, undefined);
    } else {
      t.like(features, { inspectBundle: true, transactionId: 'yes', requireManifestHash: 'unknown' });
      const inspection = await installer.inspect(bundle);
      t.like(inspection, { compatible: 'Test Device', version: '7.0', format: 'plain' });
      t.regex(inspection.manifestHash ?? '', /^[0-9a-f]{64}$/);
      t.deepEqual(await installer.install(bundle, { args: { transactionId: id } }), { transactionId: id });
      t.like((await installer.slotStatus()).find((s) => s.name === 'rootfs.1'), { transaction: id, bundleHash: inspection.manifestHash, bundleVersion: '7.0' });
    }
  });
}
