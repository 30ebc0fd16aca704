import test from 'ava';
import { handoverRecord, judgeHandover, writtenSlot, slotMarks } from '../../../src/agent/install-evidence.js';
import type { RaucProperties, SlotStatus } from '../../../src/rauc/types.js';

const idle: RaucProperties = { operation: 'idle', lastError: '', compatible: 'Test Device', variant: '', bootSlot: 'A' };
const slot = (name: string, raw: Record<string, unknown>): SlotStatus => ({
  name,
  class: 'rootfs',
  bootname: name === 'rootfs.0' ? 'A' : 'B',
  state: name === 'rootfs.0' ? 'booted' : 'inactive',
  bootStatus: raw['boot-status'] as string | undefined,
  bundleVersion: raw['bundle.version'] as string | undefined,
  bundleCompatible: undefined,
  sha256: undefined,
  raw,
});
/** rootfs.1 as RAUC 1.8 shows it after one installation of 1.0. */
const once = { 'boot-status': 'good', 'bundle.version': '1.0', status: 'ok', 'installed.count': 1, 'installed.timestamp': '2026-12-01T08:00:00Z' };
const before = [slot('rootfs.0', { 'boot-status': 'good' }), slot('rootfs.1', once)];
const record = handoverRecord(0, idle, before);

test('the handover record keeps each slot\'s installed.count/timestamp, version, boot-status and status, and RAUC\'s Operation and LastError', (t) => {
  t.like(record, { stage: 'requested', bundle: 0, operation: 'idle', lastError: '' });
  t.deepEqual(record.slots[1], { name: 'rootfs.1', installedCount: 1, installedTimestamp: '2026-12-01T08:00:00Z', bundleVersion: '1.0', bootStatus: 'good', status: 'ok' });
  t.is(slotMarks([slot('rootfs.1', { 'installed.count': 3n })])[0]!.installedCount, 3, 'a uint64 count is read too');
});

test('nothing changed and RAUC idle: never started', (t) => {
  t.deepEqual(judgeHandover(record, '2.0', before, idle), { verdict: 'untouched' });
});

test('the count moved and the slot holds the version: completed', (t) => {
  const after = [before[0]!, slot('rootfs.1', { ...once, 'bundle.version': '2.0', 'installed.count': 2, 'installed.timestamp': '2026-12-01T09:00:00Z' })];
  const evidence = judgeHandover(record, '2.0', after, idle);
  t.is(evidence.verdict, 'completed');
  t.is(writtenSlot(record.slots, slotMarks(after), '2.0')?.name, 'rootfs.1');
});

test('the same version installed again within the same second still counts (installed.count moved)', (t) => {
  const same = handoverRecord(0, idle, [before[0]!, slot('rootfs.1', { ...once, 'bundle.version': '2.0' })]);
  const after = [before[0]!, slot('rootfs.1', { ...once, 'bundle.version': '2.0', 'installed.count': 2 })];
  t.is(judgeHandover(same, '2.0', after, idle).verdict, 'completed');
});

test('the target slot marked bad (RAUC does so before writing), nothing completed: started and abandoned', (t) => {
  const after = [before[0]!, slot('rootfs.1', { ...once, 'boot-status': 'bad' })];
  t.deepEqual(judgeHandover(record, '2.0', after, idle), { verdict: 'started', reason: 'rootfs.1 boot-status good → bad' });
});

test('a new LastError with the slots unchanged: RAUC ran it and it failed', (t) => {
  const evidence = judgeHandover(record, '2.0', before, { ...idle, lastError: 'signature verification failed' });
  t.deepEqual(evidence, { verdict: 'started', reason: "RAUC's LastError: signature verification failed" });
});

test('another version completed into the slot is no completion of ours', (t) => {
  const after = [before[0]!, slot('rootfs.1', { ...once, 'bundle.version': '3.0', 'installed.count': 2 })];
  const evidence = judgeHandover(record, '2.0', after, idle);
  t.is(evidence.verdict, 'started');
});
