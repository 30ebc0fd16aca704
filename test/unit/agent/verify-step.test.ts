import test from 'ava';
import type { AgentDependencies } from '../../../src/agent/context.js';
import type { Phase } from '../../../src/agent/state.js';
import { verifyBootedSlot } from '../../../src/agent/verify-step.js';
import { silentLogger } from '../../../src/log/index.js';
import type { SlotStatus } from '../../../src/rauc/index.js';

// The decision after the reboot, over RAUC's slot status as GetSlotStatus gives it (integration and
// scenario tests show the same against real RAUC 1.8 and 1.13).
const OURS = '11111111-1111-5111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

function slot(name: string, bootname: string, state: string, extra: Partial<SlotStatus> = {}): SlotStatus {
  return { name, class: 'rootfs', bootname, state, bootStatus: 'good', bundleVersion: undefined, bundleCompatible: undefined, sha256: undefined, bundleHash: undefined, transaction: undefined, raw: {}, ...extra };
}

async function verify(slots: SlotStatus[], transactionId: string | undefined) {
  const marks: string[] = [];
  const deps = {
    installer: { slotStatus: async () => slots, mark: async (state: string, which: string) => (marks.push(`${state} ${which}`), { slot: 'x', message: 'marked' }) },
    log: silentLogger(),
  } as unknown as AgentDependencies;
  const action = { id: '7', type: 'forced' as const, bundles: [{ chunk: 'rootfs', version: '2.0', filename: 'u.raucb', size: 1, path: '/x' }], files: [], ...(transactionId ? { transactionId } : {}) };
  const phase = { kind: 'verifying', action, bootId: 'old', expectedSlot: 'rootfs.1' } as Extract<Phase, { kind: 'verifying' }>;
  return { outcome: await verifyBootedSlot(deps, phase, new AbortController().signal), marks };
}

test('the booted slot carries the action\'s transaction: success with that proof, marked good', async (t) => {
  const { outcome, marks } = await verify([slot('rootfs.0', 'A', 'inactive'), slot('rootfs.1', 'B', 'booted', { bundleVersion: '2.0', transaction: OURS, bundleHash: 'ab12' })], OURS);
  t.deepEqual(outcome, { result: 'success', details: [`Installed rootfs 2.0; rebooted into rootfs.1 (B) running 2.0 and marked it good (RAUC transaction ${OURS}, manifest hash ab12)`] });
  t.deepEqual(marks, ['good booted']);
});

test('booted the other slot while the action\'s transaction is in rootfs.1: rolled back, 2002, nothing marked', async (t) => {
  const { outcome, marks } = await verify([slot('rootfs.0', 'A', 'booted', { bundleVersion: '1.0', transaction: OTHER }), slot('rootfs.1', 'B', 'inactive', { transaction: OURS })], OURS);
  t.deepEqual(outcome, { result: 'failure', code: 2002, details: [`rolled back: booted rootfs.0 (1.0), not the slot installed by action 7 (rootfs.1, RAUC transaction ${OURS})`] });
  t.deepEqual(marks, []);
});

test('the expected slot holds another transaction (written again): failure even though it booted', async (t) => {
  const { outcome } = await verify([slot('rootfs.0', 'A', 'inactive'), slot('rootfs.1', 'B', 'booted', { bundleVersion: '3.0', transaction: OTHER })], OURS);
  t.like(outcome, { result: 'failure', code: 2002, details: [`rolled back: booted rootfs.1 (3.0), not the slot installed by action 7: no slot carries its RAUC transaction ${OURS} (rootfs.1 was last written by transaction ${OTHER})`] });
});

test('RAUC without transactions (no installed.transaction): the slot names decide, as before', async (t) => {
  t.like((await verify([slot('rootfs.0', 'A', 'inactive'), slot('rootfs.1', 'B', 'booted', { bundleVersion: '2.0' })], OURS)).outcome, { result: 'success', details: ['Installed rootfs 2.0; rebooted into rootfs.1 (B) running 2.0 and marked it good'] });
  t.like((await verify([slot('rootfs.0', 'A', 'booted'), slot('rootfs.1', 'B', 'inactive')], OURS)).outcome, { result: 'failure', code: 2002, details: ['rolled back: booted rootfs.0 (A), but rootfs 2.0 was installed to rootfs.1'] });
});

test('a state file of an older version (no transaction id with the action): slot names decide, RAUC\'s random transaction is not held against it', async (t) => {
  const { outcome } = await verify([slot('rootfs.0', 'A', 'inactive'), slot('rootfs.1', 'B', 'booted', { bundleVersion: '2.0', transaction: OTHER })], undefined);
  t.like(outcome, { result: 'success', details: ['Installed rootfs 2.0; rebooted into rootfs.1 (B) running 2.0 and marked it good'] });
});
