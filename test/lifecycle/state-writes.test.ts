import test from 'ava';
import type { PersistedState } from '../../src/agent/state.js';
import { AgentHarness, twoBundleChunks } from '../helpers/agent-harness.js';

/**
 * The state-file writes of an update (each one an atomic replacement: 2 fsyncs on the device's flash),
 * as the agent made them. A single bundle: one write per phase change — the entry into `installing`
 * holds the bundle's handover record (RAUC's state read right before it), the move out of it the
 * record of the installation RAUC completed. Several bundles: the ones before the last keep a write
 * for the step past them and one for the next bundle's handover record.
 */
function describe(state: PersistedState): string {
  const phase = state.phase;
  if (phase.kind !== 'installing') return `${phase.kind}${state.lastInstall ? ` +lastInstall(${state.lastInstall.bundles.map((bundle) => bundle.version).join(',')})` : ''}`;
  const handover = phase.handover.stage === 'requested' ? `handover ${phase.handover.bundle}` : phase.handover.stage;
  return `installing ${phase.installed}, ${handover}${state.lastInstall ? ` +lastInstall(${state.lastInstall.bundles.map((bundle) => bundle.version).join(',')})` : ''}`;
}

test('a forced single-bundle update writes the state file once per phase change: installing with the handover record, reporting with the installation record', async (t) => {
  const h = await AgentHarness.start({ fakeRauc: { bundle: { version: '2.0' } } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content: Buffer.from('bundle '.repeat(1000)) }] }] });
  const writes: PersistedState[] = [];
  await h.runUntil(() => writes.at(-1)?.phase.kind === 'idle', { onPersist: (state) => writes.push(state) });
  t.is(h.target.action(actionId).status, 'finished');
  t.deepEqual(writes.map(describe), ['downloading', 'downloaded', 'installing 0, handover 0', 'reporting +lastInstall(2.0)', 'cleanup +lastInstall(2.0)', 'idle +lastInstall(2.0)']);
  const installing = writes[2]!.phase;
  t.true(installing.kind === 'installing' && installing.handover.stage === 'requested' && installing.handover.slots.some((slot) => slot.name === 'rootfs.1'), 'the record holds the slot status');
  t.is(writes[3]!.lastInstall?.bundles[0]?.slot.name, 'rootfs.1');
  t.is(h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length, 1);
});

test('two bundles: the first keeps its write past it, the second its handover record; the last installation record goes with the move to reporting', async (t) => {
  const h = await AgentHarness.start({ fakeRauc: { bundle: { version: '2.0' }, delayMs: 5 } });
  t.teardown(() => h.stop());
  const content = Buffer.from('bundle '.repeat(1000));
  // The same version: the fake RAUC writes what its Info() says into rootfs.1 for every bundle.
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: twoBundleChunks(content, '2.0') });
  const writes: PersistedState[] = [];
  await h.runUntil(() => writes.at(-1)?.phase.kind === 'idle', { onPersist: (state) => writes.push(state) });
  t.is(h.target.action(actionId).status, 'finished');
  // Two `downloading` writes: the record of the first downloaded file.
  t.deepEqual(writes.map(describe), [
    'downloading',
    'downloading',
    'downloaded',
    'installing 0, handover 0',
    'installing 1, none +lastInstall(2.0)',
    'installing 1, handover 1 +lastInstall(2.0)',
    'reporting +lastInstall(2.0)',
    'cleanup +lastInstall(2.0)',
    'idle +lastInstall(2.0)',
  ]);
  t.like(writes[4]!.lastInstall?.bundles[0], { chunk: 'rootfs', slot: { name: 'rootfs.1', installedCount: 1 } });
  t.like(writes[6]!.lastInstall?.bundles[0], { chunk: 'app', slot: { name: 'rootfs.1', installedCount: 2 } }, 'the second bundle is recorded with the move to reporting');
  t.is(h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length, 2);
});
