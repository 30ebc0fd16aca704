import test from 'ava';
import { silentLogger } from '../../../src/log/index.js';
import { DbusInstaller, isRaucCallError } from '../../../src/rauc/index.js';
import { RAUC_VERSIONS, RaucEnvironment } from '../../harness/rauc-environment.js';

// Its own RAUC environments, running side by side with those in real-rauc-install.test.ts.
for (const version of RAUC_VERSIONS) {
  test(`RAUC ${version}: simulated reboot into the new slot: BootSlot B, Mark(good, booted) answers for rootfs.1`, async (t) => {
    const env = await RaucEnvironment.start({ version, bootSlot: 'A' });
    t.teardown(() => env.stop());
    const installer = new DbusInstaller({ bus: { address: env.busAddress }, log: silentLogger() });
    t.teardown(() => installer.close());

    await installer.install(await env.buildBundle({ version: '5.0' }));
    t.is(await installer.primary(), 'rootfs.1');

    await env.restart({ bootSlot: 'B' });
    t.is((await installer.properties()).bootSlot, 'B');
    const slots = await installer.slotStatus();
    t.deepEqual(slots.map((s) => [s.name, s.state]), [['rootfs.0', 'inactive'], ['rootfs.1', 'booted']]);
    t.is(slots[1]?.bundleVersion, '5.0', 'the slot status survived the restart');
    t.deepEqual(await installer.mark('good', 'booted'), { slot: 'rootfs.1', message: 'marked slot rootfs.1 as good' });
    t.deepEqual(await installer.mark('bad', 'other'), { slot: 'rootfs.0', message: 'marked slot rootfs.0 as bad' });
    t.is((await installer.slotStatus()).find((s) => s.name === 'rootfs.0')?.bootStatus, 'bad');

    const error = await t.throwsAsync(installer.mark('good', 'rootfs.9'));
    t.true(isRaucCallError(error));
    t.regex(error?.message ?? '', /No slot with class rootfs and name rootfs\.9 found/);
  });
}
