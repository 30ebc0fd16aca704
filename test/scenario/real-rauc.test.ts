import { readFileSync } from 'node:fs';
import test from 'ava';
import { DbusInstaller } from '../../src/rauc/index.js';
import { silentLogger } from '../../src/log/index.js';
import { RAUC_VERSIONS } from '../harness/rauc-environment.js';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

for (const version of RAUC_VERSIONS) {
  test(`real RAUC ${version}: forced update with post-reboot verification, slot written and marked good`, async (t) => {
    const h = await AgentHarness.start({ rauc: 'real', raucVersion: version, client: { post_update_reboot: 'true' } });
    t.teardown(() => h.stop());
    const bundlePath = await h.realRauc!.buildBundle({ version: '2.0' });
    const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs-2.0.raucb', content: readFileSync(bundlePath) }] }] });

    await h.driveToEnd(actionId);

    t.is(h.target.action(actionId).status, 'finished');
    t.is(feedbackChain(h.target, actionId).at(-1), 'closed/success');
    const installer = new DbusInstaller({ bus: { address: h.realRauc!.busAddress }, log: silentLogger() });
    t.teardown(() => installer.close());
    t.is((await installer.properties()).bootSlot, 'B');
    const booted = (await installer.slotStatus()).find((slot) => slot.state === 'booted');
    t.like(booted, { name: 'rootfs.1', bundleVersion: '2.0', bootStatus: 'good' });
    const progress = h.target.feedback.filter((f) => JSON.stringify(f.body).includes('"proceeding"')).map((f) => JSON.stringify(f.body));
    t.true(progress.some((body) => body.includes('Installing')), 'RAUC progress messages reached hawkBit');
  });
}
