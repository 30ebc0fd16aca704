import test from 'ava';
import { isCancelable, isDroppable, LIFECYCLE, moves, TRANSITIONS } from '../../../src/agent/lifecycle.js';
import type { Entry, EventType, HandlerContext } from '../../../src/agent/lifecycle-types.js';
import { NO_HANDOVER, PHASE_KINDS, type ActionRecord, type PhaseKind } from '../../../src/agent/state.js';
import { coverage } from '../../../scripts/check-move-coverage.js';

const action: ActionRecord = { id: '7', type: 'forced', bundles: [{ chunk: 'rootfs', version: '2.0', filename: 'u.raucb', size: 3, path: '/data/u.raucb' }], files: ['/data/u.raucb'] };
const context: HandlerContext = { values: { verifyAfterReboot: true, postUpdateReboot: true, hawkbitServer: 'h', tenantId: 'DEFAULT', targetName: 'device-1' }, origin: 'server' };
const entry = (kind: PhaseKind, event: EventType) => LIFECYCLE[kind][event] as Entry<PhaseKind, EventType> | undefined;

test('the table covers every persisted phase, and every phase answers resume and cancel', (t) => {
  t.deepEqual(Object.keys(LIFECYCLE).sort(), [...PHASE_KINDS].sort());
  for (const kind of PHASE_KINDS) {
    t.truthy(entry(kind, 'resume'), `${kind}: resume`);
    t.truthy(entry(kind, 'cancel'), `${kind}: cancel`);
  }
});

test('cancelable and droppable phases come from the table, as docs/lifecycle.md states them', (t) => {
  t.deepEqual(PHASE_KINDS.filter(isCancelable), ['idle', 'confirming', 'downloading', 'downloaded']);
  t.deepEqual(PHASE_KINDS.filter(isDroppable), ['downloading', 'downloaded', 'reporting']);
});

test('the allowed moves are those the handlers declare; moves no code makes are not in the table', (t) => {
  t.is(moves().length > 0, true);
  t.is(new Set(moves().map((move) => `${move.from}→${move.to}`)).size, Object.values(TRANSITIONS).flat().length);
  t.false(TRANSITIONS.idle.includes('cleanup'));
  t.false(TRANSITIONS.downloading.includes('installing'));
  t.false(TRANSITIONS.installing.includes('downloading'));
});

test('cancel while downloaded: go to cleanup, delete the files, accept once idle (no I/O in the handler)', (t) => {
  const step = entry('downloaded', 'cancel')!.run({ kind: 'downloaded', action }, { type: 'cancel', stopId: '7', stopped: false, before: 'downloaded' }, context);
  t.deepEqual(step.next, { kind: 'cleanup', action });
  t.like(step.effect, { kind: 'cleanup', after: { kind: 'cancelAccepted', details: ["canceled in phase 'downloaded', before the installation; files removed"] } });
  t.is(step.feedback, undefined, 'acknowledged after the cleanup, not before');
});

test('cancel while installing: refused with final feedback, the phase stays', (t) => {
  const installing = { kind: 'installing' as const, action, installed: 0, startedAt: 0, bootId: 'b', handover: NO_HANDOVER };
  const step = entry('installing', 'cancel')!.run(installing, { type: 'cancel', stopId: '7', stopped: false, before: 'installing' }, context);
  t.is(step.next, undefined);
  t.deepEqual(step.feedback, { note: { kind: 'cancelRefused', phase: 'installing' }, mode: 'final' });
});

test('RAUC completed with post_update_reboot: rebootPending with the transaction id, "rebooting", then the reboot', (t) => {
  const installing = { kind: 'installing' as const, action, installed: 1, startedAt: 0, bootId: 'b', handover: NO_HANDOVER };
  const step = entry('installing', 'installed')!.run(installing, { type: 'installed', expectedSlot: 'rootfs.1', bootId: 'boot-1' }, context);
  t.like(step.next, { kind: 'rebootPending', bootId: 'boot-1', expectedSlot: 'rootfs.1' });
  t.regex((step.next as { action: ActionRecord }).action.transactionId!, /^[0-9a-f-]{36}$/);
  t.deepEqual(step.effect, { kind: 'reboot', again: false });
  t.like(step.feedback, { note: { kind: 'installed', details: ['Installed rootfs 2.0 to rootfs.1; rebooting'] }, mode: 'progress' });
});

test('move coverage names the table moves never made and the moves made that the table lacks', (t) => {
  const made = moves().filter((move) => !(move.from === 'downloaded' && move.to === 'cleanup'));
  const lines = [...made.map((move) => JSON.stringify(move)), JSON.stringify({ from: 'idle', to: 'cleanup', event: 'cancel' }), ''];
  const result = coverage(lines);
  t.deepEqual(result.missing, ['downloaded → cleanup']);
  t.deepEqual(result.unknown, ['idle → cleanup on cancel']);
  t.is(result.made, result.total - 1);
});
