import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { isStateLoopError, StateStore } from '../../../src/agent/state-store.js';
import { IDLE, NO_HANDOVER, type ActionRecord } from '../../../src/agent/state.js';
import { TRANSITIONS } from '../../../src/agent/lifecycle.js';
import { isIllegalTransitionError, VISIT_LIMITS } from '../../../src/agent/transitions.js';
import { silentLogger } from '../../../src/log/index.js';

const action: ActionRecord = { id: '7', type: 'forced', bundles: [], files: [] };

function freshStore() {
  const dir = mkdtempSync(join(tmpdir(), 'hr-store-'));
  return { dir, store: new StateStore(dir, { log: silentLogger() }) };
}

test('a missing state file is a fresh start in idle', async (t) => {
  const { store } = freshStore();
  t.is(await store.load(), undefined);
  t.deepEqual(store.phase, IDLE);
});

test('transitions are persisted and read back by a new store', async (t) => {
  const { dir, store } = freshStore();
  await store.load();
  await store.transition({ kind: 'downloading', action });
  await store.transition({ kind: 'downloaded', action });
  const again = new StateStore(dir, { log: silentLogger() });
  await again.load();
  t.deepEqual(again.phase, { kind: 'downloaded', action });
  t.deepEqual(again.state.visits, { downloading: 1, downloaded: 1 });
  t.is(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).schema, 1);
});

test('only transitions in the table are accepted', async (t) => {
  const { store } = freshStore();
  await store.load();
  const error = await t.throwsAsync(store.transition({ kind: 'installing', action, installed: 0, startedAt: 0, bootId: 'b', handover: NO_HANDOVER }));
  t.true(isIllegalTransitionError(error));
  t.is(error!.message, 'illegal lifecycle transition idle → installing');
  t.deepEqual(store.phase, IDLE);
});

test('the table: installing can never go back to downloading, and every kind can reach idle', (t) => {
  t.false(TRANSITIONS.installing.includes('downloading'));
  t.false(TRANSITIONS.rebootPending.includes('installing'));
  const reaches = (from: string, seen = new Set<string>()): boolean => {
    if (from === 'idle') return true;
    seen.add(from);
    return TRANSITIONS[from as keyof typeof TRANSITIONS].some((to) => !seen.has(to) && reaches(to, seen));
  };
  for (const kind of Object.keys(TRANSITIONS)) t.true(reaches(kind), kind);
});

test('the loop guard stops re-entering a kind too often for one action', async (t) => {
  const { store } = freshStore();
  await store.load();
  await store.transition({ kind: 'downloading', action });
  await store.transition({ kind: 'downloaded', action });
  const phase = { kind: 'installing' as const, action, installed: 0, startedAt: 0, bootId: 'b', handover: NO_HANDOVER };
  for (let i = 0; i < VISIT_LIMITS.installing; i++) await store.transition(phase);
  const error = await t.throwsAsync(store.transition(phase));
  t.true(isStateLoopError(error));
  t.regex(error!.message, /'installing' entered 6 times/);
});

test('visits restart for another action', async (t) => {
  const { store } = freshStore();
  await store.load();
  await store.transition({ kind: 'downloading', action });
  await store.transition({ kind: 'cleanup', action });
  await store.transition(IDLE);
  await store.transition({ kind: 'downloading', action: { ...action, id: '8' } });
  t.deepEqual(store.state.visits, { downloading: 1 });
});

for (const [name, content] of [
  ['truncated', '{"schema":1,"phase":{"kind":"downloading","action":{"id":"42"'],
  ['not JSON', 'garbage'],
  ['empty', ''],
  ['future version', '{"schema":9,"phase":{"kind":"idle"}}'],
  ['unknown phase', '{"schema":1,"phase":{"kind":"flying","action":{"id":"42"}}}'],
] as const) {
  test(`a ${name} state file is moved aside and the agent starts clean`, async (t) => {
    const { dir, store } = freshStore();
    writeFileSync(join(dir, 'state.json'), content);
    const recovery = await store.load();
    t.truthy(recovery);
    t.deepEqual(store.phase, IDLE);
    t.regex(recovery!.movedTo ?? '', /state\.json\.corrupt-/);
    t.true(readdirSync(dir).some((file) => file.startsWith('state.json.corrupt-')));
    t.false(readdirSync(dir).includes('state.json'));
    if (content.includes('"42"')) t.is(recovery!.actionId, '42');
  });
}

test('read-only load leaves a damaged file in place', async (t) => {
  const { dir, store } = freshStore();
  writeFileSync(join(dir, 'state.json'), 'garbage');
  const recovery = await store.load({ readOnly: true });
  t.is(recovery?.movedTo, undefined);
  t.true(readdirSync(dir).includes('state.json'));
});

test('onPersist sees every persisted state (crash-point hook)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-store-'));
  const seen: string[] = [];
  const store = new StateStore(dir, { log: silentLogger(), onPersist: (state) => seen.push(state.phase.kind) });
  await store.load();
  await store.transition({ kind: 'downloading', action });
  await store.transition({ kind: 'reporting', action, outcome: { result: 'success', details: [] } });
  t.deepEqual(seen, ['downloading', 'reporting']);
});

test('a state file written by the previous version (installing, no handover record) is read and marked "handover unknown"', async (t) => {
  const { dir, store } = freshStore();
  const written = readFileSync(new URL('../../fixtures/state/main-installing.json', import.meta.url), 'utf8');
  writeFileSync(join(dir, 'state.json'), written);
  t.is(await store.load(), undefined, 'not treated as damaged');
  const old = JSON.parse(written);
  t.deepEqual(store.phase, { ...old.phase, handover: { stage: 'unknown' } });
  t.deepEqual(store.state.visits, old.visits);
  t.is(store.state.lastInstall, undefined);
});

test('a state file written by the previous version in rebootPending is read unchanged', async (t) => {
  const { dir, store } = freshStore();
  const written = readFileSync(new URL('../../fixtures/state/main-reboot-pending.json', import.meta.url), 'utf8');
  writeFileSync(join(dir, 'state.json'), written);
  t.is(await store.load(), undefined);
  t.deepEqual(store.phase, JSON.parse(written).phase);
});

test('the record of the last completed installation outlives the action and is read back', async (t) => {
  const { dir, store } = freshStore();
  await store.load();
  await store.transition({ kind: 'downloading', action });
  const lastInstall = { actionId: '7', bundles: [{ chunk: 'rootfs', version: '2.0', filename: 'u.raucb', sha256: undefined, slot: { name: 'rootfs.1', installedCount: 1, installedTimestamp: 't', bundleVersion: '2.0', bootStatus: 'good', status: 'ok' } }] };
  await store.update({ kind: 'downloading', action }, { lastInstall });
  await store.transition({ kind: 'cleanup', action });
  await store.transition(IDLE);
  const again = new StateStore(dir, { log: silentLogger() });
  await again.load();
  t.deepEqual(JSON.parse(JSON.stringify(again.state.lastInstall)), JSON.parse(JSON.stringify(lastInstall)));
  t.deepEqual(again.phase, IDLE);
});

test('a damaged handover record or last-installation record is not trusted: handover unknown, record ignored', async (t) => {
  const { dir, store } = freshStore();
  const old = JSON.parse(readFileSync(new URL('../../fixtures/state/main-installing.json', import.meta.url), 'utf8'));
  const damaged = { ...old, phase: { ...old.phase, handover: { stage: 'requested', slots: 'x' } }, lastInstall: { actionId: '3', bundles: [{ version: 2 }] } };
  writeFileSync(join(dir, 'state.json'), JSON.stringify(damaged));
  t.is(await store.load(), undefined);
  t.like(store.phase, { kind: 'installing', handover: { stage: 'unknown' } });
  t.is(store.state.lastInstall, undefined);
});

test('an update that changes nothing writes nothing; one with the installation record writes both at once', async (t) => {
  const persisted: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hr-store-'));
  const store = new StateStore(dir, { log: silentLogger(), onPersist: (state) => persisted.push(state.phase.kind) });
  await store.load();
  const installing = { kind: 'installing' as const, action, installed: 0, startedAt: 5, bootId: 'b', handover: NO_HANDOVER };
  await store.transition({ kind: 'downloading', action });
  await store.transition({ kind: 'downloaded', action });
  await store.transition(installing);
  const file = join(dir, 'state.json');
  const before = { text: readFileSync(file, 'utf8'), inode: statSync(file).ino };
  await store.update({ ...installing, action: { ...action } });
  t.deepEqual(persisted, ['downloading', 'downloaded', 'installing']);
  t.is(statSync(file).ino, before.inode, 'the file was not replaced');
  t.is(readFileSync(file, 'utf8'), before.text);

  const lastInstall = { actionId: '7', bundles: [{ chunk: 'rootfs', version: '2.0', filename: 'u.raucb', sha256: undefined, slot: { name: 'rootfs.1', installedCount: 1, installedTimestamp: 't', bundleVersion: '2.0', bootStatus: 'good', status: 'ok' } }] };
  await store.update({ ...installing, installed: 1 }, { lastInstall });
  t.deepEqual(persisted, ['downloading', 'downloaded', 'installing', 'installing']);
  const written = JSON.parse(readFileSync(file, 'utf8'));
  t.is(written.phase.installed, 1);
  t.is(written.lastInstall.bundles[0].slot.name, 'rootfs.1');
  await store.update({ ...installing, installed: 1 }, { lastInstall: JSON.parse(JSON.stringify(lastInstall)) });
  t.is(persisted.length, 4, 'the same record again is no write');
});

test('a move can carry the installation record: one write holds the new phase and the record, later moves keep it', async (t) => {
  const persisted: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hr-store-'));
  const store = new StateStore(dir, { log: silentLogger(), onPersist: (state) => persisted.push(state.phase.kind) });
  await store.load();
  await store.transition({ kind: 'downloading', action });
  await store.transition({ kind: 'downloaded', action });
  await store.transition({ kind: 'installing', action, installed: 0, startedAt: 5, bootId: 'b', handover: NO_HANDOVER });
  const lastInstall = { actionId: '7', bundles: [{ chunk: 'rootfs', version: '2.0', filename: 'u.raucb', sha256: undefined, slot: { name: 'rootfs.1', installedCount: 1, installedTimestamp: 't', bundleVersion: '2.0', bootStatus: 'good', status: 'ok' } }] };
  await store.transition({ kind: 'reporting', action, outcome: { result: 'success', details: [] } }, { lastInstall });
  t.deepEqual(persisted, ['downloading', 'downloaded', 'installing', 'reporting']);
  const file = join(dir, 'state.json');
  t.like(JSON.parse(readFileSync(file, 'utf8')), { phase: { kind: 'reporting' }, lastInstall: { actionId: '7' } });
  await store.transition({ kind: 'cleanup', action });
  await store.transition(IDLE);
  t.is(JSON.parse(readFileSync(file, 'utf8')).lastInstall.bundles[0].slot.name, 'rootfs.1', 'kept across actions');
});
