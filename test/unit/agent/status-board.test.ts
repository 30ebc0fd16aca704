import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { FILE_TIME_MAX_MS, readStatus, STATUS_FILE, StatusBoard, withFileTime } from '../../../src/agent/status-board.js';
import { createLogger, Redactor, REDACTED, silentLogger } from '../../../src/log/index.js';

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

/** One idle poll as the agent records it: its start (deferred), then what it found. */
function poll(status: StatusBoard, at: string, found = 'nothing to do', options: { rewrite?: boolean } = {}) {
  status.set({ lastPollAt: at }, { defer: true });
  status.set({ lastPollFound: { at, found } }, options);
}

test('a poll that found what the one before it found only sets the file\'s time; readers take the poll\'s time from it', async (t) => {
  const { dir, file, inode, status } = board();
  // Polls a minute from now: each one later than the board's own updatedAt, as a poll after a sleep is.
  const start = Date.now() + 60_000;
  const at = (second: number) => new Date(start + second * 1000).toISOString();
  poll(status, at(1));
  await status.flush();
  const first = { inode: inode(), text: readFileSync(file, 'utf8') };
  t.is(statSync(file).mtime.toISOString(), at(1), 'a written file carries the poll\'s time');
  t.is((await readStatus(dir))?.lastPollAt, at(1));
  poll(status, at(2));
  await status.flush();
  t.is(inode(), first.inode, 'not replaced');
  t.is(readFileSync(file, 'utf8'), first.text, 'not written');
  const read = await readStatus(dir);
  t.is(read?.lastPollAt, at(2));
  t.deepEqual(read?.lastPollFound, { at: at(2), found: 'nothing to do' });
  t.is(read?.updatedAt, at(2));
  // What a poll found changed: a new file again, with the times in it, and the file's time set back to them.
  poll(status, at(3), 'action 5: downloading');
  await status.flush();
  t.not(inode(), first.inode);
  t.is(JSON.parse(readFileSync(file, 'utf8')).lastPollAt, at(3));
  t.is((await readStatus(dir))?.lastPollFound?.found, 'action 5: downloading');
  t.is(statSync(file).mtime.toISOString(), at(3));
  // Anything else that changes is written as before; so is a poll asked for with `rewrite`.
  const third = inode();
  status.set({ activity: 'downloading' });
  await status.flush();
  t.not(inode(), third);
  const fourth = inode();
  poll(status, at(4), 'action 5: downloading', { rewrite: true });
  await status.flush();
  t.not(inode(), fourth);
  t.is(JSON.parse(readFileSync(file, 'utf8')).lastPollAt, at(4));
});

test('the whole file is written again at least once a minute, so the times in it are at most a minute late', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-status-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let clock = Date.now();
  const status = new StatusBoard(dir, silentLogger(), undefined, undefined, () => clock);
  const inode = () => statSync(join(dir, STATUS_FILE)).ino;
  const start = Date.now() + 60_000;
  const pollAt = async (ms: number) => {
    clock = start + ms;
    poll(status, new Date(start + ms).toISOString());
    await status.flush();
  };
  await pollAt(0);
  const first = inode();
  await pollAt(FILE_TIME_MAX_MS - 1);
  t.is(inode(), first, 'within the minute: the file\'s time only');
  await pollAt(FILE_TIME_MAX_MS);
  t.not(inode(), first, 'a minute after the write: the whole file');
  t.is(JSON.parse(readFileSync(join(dir, STATUS_FILE), 'utf8')).lastPollAt, new Date(start + FILE_TIME_MAX_MS).toISOString());
});

test('the file\'s time stands only for a poll that succeeded and is later than the times in the file', (t) => {
  const at = '2026-12-01T10:00:00.000Z';
  const later = Date.parse(at) + 60_000;
  const idle = { pid: 1, updatedAt: at, activity: 'idle', lastPollAt: at, lastPollFound: { at, found: 'nothing to do' } };
  t.is(withFileTime(idle, later).lastPollAt, '2026-12-01T10:01:00.000Z');
  t.is(withFileTime(idle, Date.parse(at)), idle, 'the time a write sets');
  t.is(withFileTime(idle, Date.parse(at) - 1000), idle, 'a file system with coarse times rounds it down');
  // A failed poll keeps the last good poll's lastPollAt: its file is always written, and its time says nothing.
  const failed = { ...idle, lastPollFound: { at: '2026-12-01T10:00:30.000Z', found: 'poll failed: timeout', failed: true } };
  t.is(withFileTime(failed, later), failed);
  const starting = { pid: 1, updatedAt: at, activity: 'starting' };
  t.is(withFileTime(starting, later), starting);
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

test('the file is private and redacted: a secret in any text is cut, the timestamps are written as they are', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-status-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const token = 'tok-0123456789abcdef';
  const status = new StatusBoard(dir, silentLogger(), new Redactor([token]));
  const at = '2026-12-03T07:00:00.000Z';
  status.set({ lastPollAt: at }, { defer: true });
  status.set({ activity: `idle (${token})`, lastError: `GET failed: Authorization: TargetToken ${token}`, lastPollFound: { at, found: `poll failed: ${token}`, failed: true } });
  await status.flush();
  const text = readFileSync(join(dir, STATUS_FILE), 'utf8');
  t.false(text.includes(token));
  const written = JSON.parse(text) as Record<string, unknown>;
  t.is(written.activity, `idle (${REDACTED})`);
  t.deepEqual(written.lastPollFound, { at, found: `poll failed: ${REDACTED}`, failed: true });
  t.is(written.lastPollAt, at);
  t.regex(String(written.updatedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.is(statSync(join(dir, STATUS_FILE)).mode & 0o777, 0o600);
});

test('in a runtime directory a write is done when set returns', (t) => {
  const { parent, stateDir, make } = runtimeBoard();
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const status = make();
  for (let poll = 1; poll <= 3; poll++) {
    status.set({ lastPollFound: { at: String(poll), found: 'nothing to do' } });
    t.is(JSON.parse(readFileSync(join(stateDir, STATUS_FILE), 'utf8')).lastPollFound.at, String(poll));
  }
});

/** state_dir and a runtime directory (tmpfs under /run on a device) with a board that writes there. */
function runtimeBoard(parent = mkdtempSync(join(tmpdir(), 'hr-status-run-'))) {
  const stateDir = join(parent, 'state');
  const runtimeDir = join(parent, 'run');
  mkdirSync(runtimeDir, { recursive: true });
  const log = new PassThrough();
  let logged = '';
  log.on('data', (chunk: Buffer) => (logged += chunk.toString()));
  const make = () => new StatusBoard(stateDir, createLogger({ level: 'debug', format: 'text', stream: log }), undefined, runtimeDir);
  return { parent, stateDir, runtimeDir, link: join(stateDir, STATUS_FILE), make, logged: () => logged };
}

test('with a runtime directory the file is written there and state_dir/status.json links to it, made once: idle polls write nothing into state_dir', async (t) => {
  const { parent, stateDir, runtimeDir, link, make } = runtimeBoard();
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const status = make();
  t.is(status.path, join(runtimeDir, STATUS_FILE));
  status.set({ activity: 'idle' });
  await status.flush();
  t.true(lstatSync(link).isSymbolicLink());
  t.is(readlinkSync(link), join(runtimeDir, STATUS_FILE));
  const linkInode = lstatSync(link).ino;
  const fileInode = () => statSync(join(runtimeDir, STATUS_FILE)).ino;
  let before = fileInode();
  for (let poll = 1; poll <= 5; poll++) {
    status.set({ lastPollFound: { at: String(poll), found: 'nothing to do' } });
    await status.flush();
    t.not(fileInode(), before, `poll ${poll} replaced the file in the runtime directory`);
    before = fileInode();
    t.is((await readStatus(stateDir))?.lastPollFound?.at, String(poll), 'readers of state_dir see it through the link');
  }
  t.is(lstatSync(link).ino, linkInode, 'the link was not made again');
  t.deepEqual(readdirSync(stateDir), [STATUS_FILE]);
  t.deepEqual(readdirSync(runtimeDir), [STATUS_FILE], 'no temp file left');
  // The next start finds the link in place and leaves it.
  const next = make();
  next.set({ activity: 'starting again' });
  await next.flush();
  t.is(lstatSync(link).ino, linkInode);
  t.is((await readStatus(stateDir))?.activity, 'starting again');
  // systemd removes the runtime directory when the service stops: no status, as for a service that never ran.
  rmSync(runtimeDir, { recursive: true });
  t.is(await readStatus(stateDir), undefined);
});

test('the link replaces a status file an earlier version (or a run from a shell) left in state_dir, and a run without a runtime directory replaces the link', async (t) => {
  const { parent, stateDir, runtimeDir, link, make } = runtimeBoard();
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  mkdirSync(stateDir);
  writeFileSync(link, JSON.stringify({ pid: 1, updatedAt: 'old', activity: 'old' }));
  const status = make();
  status.set({ activity: 'idle' });
  await status.flush();
  t.is(readlinkSync(link), join(runtimeDir, STATUS_FILE));
  t.is((await readStatus(stateDir))?.activity, 'idle');
  // Another link (a runtime directory elsewhere) is replaced too.
  rmSync(link);
  symlinkSync('/nonexistent/status.json', link);
  const again = make();
  again.set({ activity: 'again' });
  await again.flush();
  t.is(readlinkSync(link), join(runtimeDir, STATUS_FILE));
  // From a shell (no runtime directory): a regular file again, the runtime directory's file untouched.
  const shell = new StatusBoard(stateDir, silentLogger());
  shell.set({ activity: 'run by hand' });
  await shell.flush();
  t.false(lstatSync(link).isSymbolicLink());
  t.is((await readStatus(stateDir))?.activity, 'run by hand');
  t.is(JSON.parse(readFileSync(join(runtimeDir, STATUS_FILE), 'utf8')).activity, 'again');
  t.deepEqual(readdirSync(stateDir), [STATUS_FILE]);
});

test('a state_dir that cannot take the link costs one warning; the file in the runtime directory is still kept', async (t) => {
  const { parent, stateDir, runtimeDir, make, logged } = runtimeBoard();
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  // A file where state_dir should be (a mode would not stop root, who runs the tests in CI).
  writeFileSync(stateDir, 'not a directory');
  const status = make();
  status.set({ activity: 'idle' });
  await status.flush();
  status.set({ activity: 'polling' });
  await status.flush();
  t.is(JSON.parse(readFileSync(join(runtimeDir, STATUS_FILE), 'utf8')).activity, 'polling');
  t.is(logged().split('could not be linked').length - 1, 1, logged());
  t.regex(logged(), /hawkbit-rauc status. does not see the running service/);
});
