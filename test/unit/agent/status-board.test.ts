import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { readStatus, STATUS_FILE, StatusBoard } from '../../../src/agent/status-board.js';
import { silentLogger } from '../../../src/log/index.js';

function board() {
  const dir = mkdtempSync(join(tmpdir(), 'hr-status-'));
  const file = join(dir, STATUS_FILE);
  /** The file's inode: every write replaces the file (rename), so a new inode is a new write. */
  const inode = () => statSync(file).ino;
  return { dir, file, inode, status: new StatusBoard(dir, silentLogger()) };
}

test('a change that changes nothing does not rewrite the status file', async (t) => {
  const { file, inode, status } = board();
  status.set({ activity: 'idle', actionId: '7' });
  await status.flush();
  const before = { inode: inode(), text: readFileSync(file, 'utf8') };
  status.set({ activity: 'idle' });
  status.set({ actionId: '7', progress: undefined });
  await status.flush();
  t.is(inode(), before.inode);
  t.is(readFileSync(file, 'utf8'), before.text);
  status.set({ activity: 'downloading' });
  await status.flush();
  t.not(inode(), before.inode);
  t.is(JSON.parse(readFileSync(file, 'utf8')).activity, 'downloading');
});

test('a deferred change is written with the next write, not alone: one write per poll', async (t) => {
  const { dir, inode, status } = board();
  status.set({ activity: 'idle' });
  await status.flush();
  const before = inode();
  status.set({ lastPollAt: '2026-12-01T10:00:00.000Z' }, { defer: true });
  await status.flush();
  t.is(inode(), before, 'not written on its own');
  t.is((await readStatus(dir))?.lastPollAt, undefined);
  status.set({ lastPollFound: { at: '2026-12-01T10:00:00.000Z', found: 'nothing to do' } });
  await status.flush();
  const written = await readStatus(dir);
  t.is(written?.lastPollAt, '2026-12-01T10:00:00.000Z');
  t.is(written?.lastPollFound?.found, 'nothing to do');
});

test('a throttled change left unwritten is written by the next set with the same content', async (t) => {
  const { dir, status } = board();
  status.set({ progress: { percent: 10, message: 'downloading' } }, { throttle: true });
  status.set({ progress: { percent: 20, message: 'downloading' } }, { throttle: true });
  await status.flush();
  t.is((await readStatus(dir))?.progress?.percent, 10, 'the second one was throttled');
  status.set({ progress: { percent: 20, message: 'downloading' } });
  await status.flush();
  t.is((await readStatus(dir))?.progress?.percent, 20);
});

test('the file is replaced in one step at each write, no temp file is left, and a failed write is retried by the next set', async (t) => {
  const { dir, file, inode, status } = board();
  status.set({ activity: 'idle' });
  await status.flush();
  const first = inode();
  t.is(JSON.parse(readFileSync(file, 'utf8')).activity, 'idle');
  status.set({ activity: 'downloading' });
  await status.flush();
  t.not(inode(), first);
  t.deepEqual(readdirSync(dir), [STATUS_FILE]);
  // state_dir gone and a file in its place: the write fails (logged at debug), nothing is thrown.
  rmSync(dir, { recursive: true });
  writeFileSync(dir, 'not a directory');
  t.notThrows(() => status.set({ activity: 'installing' }));
  await status.flush();
  rmSync(dir);
  status.set({ activity: 'installing' });
  await status.flush();
  t.is((await readStatus(dir))?.activity, 'installing', 'the same content is written once the directory can be made again');
  t.deepEqual(readdirSync(dir), [STATUS_FILE]);
});

test('changes set while a write is under way are written after it, the newest last', async (t) => {
  const { dir, status } = board();
  for (let poll = 1; poll <= 20; poll++) status.set({ lastPollFound: { at: String(poll), found: 'nothing to do' } });
  await status.flush();
  t.is((await readStatus(dir))?.lastPollFound?.at, '20');
  t.deepEqual(readdirSync(dir), [STATUS_FILE]);
});
