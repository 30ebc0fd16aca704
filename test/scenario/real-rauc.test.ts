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
    // RAUC's own progress (its messages carry their nesting depth; ours do not), as the server received it.
    type Body = { status: { execution: string; result: { progress?: { cnt: number; of: number } }; details: string[] } };
    const proceeding = h.target.feedback
      .filter((f) => f.actionId === actionId && (f.body as Body).status.execution === 'proceeding' && (f.body as Body).status.result.progress)
      .map((f) => (f.body as Body).status);
    const fromRauc = proceeding.filter((status) => /\(depth \d+\)$/.test(status.details[0] ?? ''));
    t.true(fromRauc.length >= 2, `RAUC progress reached hawkBit: ${JSON.stringify(proceeding)}`);
    t.deepEqual(fromRauc.at(-1), { execution: 'proceeding', result: { finished: 'none', progress: { cnt: 100, of: 100 } }, details: ['Installing done. (depth 1)'] });
    const counts = proceeding.map((status) => status.result.progress!.cnt);
    t.true(counts.every((cnt, index) => index === 0 || cnt >= counts[index - 1]!), `cnt never goes back: ${counts.join(' ')}`);
    t.true(proceeding.every((status) => status.result.progress!.of === 100));
    t.true(proceeding.length <= 12, `bounded (${proceeding.length})`);
  });
}
