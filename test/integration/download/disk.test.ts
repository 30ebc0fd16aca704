import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { checkFreeSpace, isInsufficientSpaceError, isUnsafeFilenameError, removeStaleParts } from '../../../src/download/index.js';
import { testFile } from './fault-server.js';
import { downloader, faultServer, listDir, requestFor, sameContent, tempDir } from './setup.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

/** A 1 MiB tmpfs mounted for the test (needs root); unmounted in teardown. Fails loudly if it cannot. */
async function tinyDisk(t: ExecutionContext): Promise<string> {
  const mountpoint = join(await tempDir(t), 'tiny');
  await mkdir(mountpoint);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountpoint]);
  } catch (error) {
    throw new Error(`cannot mount a 1 MiB tmpfs at ${mountpoint} (these tests need root): ${String(error)}`, { cause: error });
  }
  t.teardown(() => run('umount', [mountpoint]).then(() => undefined));
  return mountpoint;
}

test('too little free space for the known size: InsufficientSpaceError with both numbers, no request', async (t) => {
  const [server, disk] = await Promise.all([faultServer(t), tinyDisk(t)]);
  const file = testFile(2 * MiB);
  const url = server.serve('/a', file.data);
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, disk)));
  t.true(isInsufficientSpaceError(error), String(error));
  if (!isInsufficientSpaceError(error)) return;
  t.is(error.required, 2 * MiB);
  t.true(error.available <= MiB);
  t.is(error.directory, disk);
  t.regex(error.message, new RegExp(`${2 * MiB} bytes required, ${error.available} bytes available`));
  t.is(server.requests.length, 0);
});

test('ENOSPC during the write (size unknown): InsufficientSpaceError and the partial file is removed', async (t) => {
  const [server, disk] = await Promise.all([faultServer(t), tinyDisk(t)]);
  const file = testFile(3 * MiB);
  const url = server.serve('/a', file.data, [{ kind: 'chunked' }]);
  const error = await t.throwsAsync(downloader().download(requestFor(file, url, disk, { size: undefined })));
  t.true(isInsufficientSpaceError(error), String(error));
  t.deepEqual(await listDir(disk), []);
});

test('checkFreeSpace passes when there is room and throws with both numbers when not', async (t) => {
  const disk = await tinyDisk(t);
  await t.notThrowsAsync(checkFreeSpace(disk, 100_000));
  const error = await t.throwsAsync(checkFreeSpace(disk, 5 * MiB));
  t.true(isInsufficientSpaceError(error));
  t.regex(error?.message ?? '', /5242880 bytes required, \d+ bytes available/);
});

test('a small file fits the tiny disk', async (t) => {
  const [server, disk] = await Promise.all([faultServer(t), tinyDisk(t)]);
  const file = testFile(300_000);
  const url = server.serve('/a', file.data);
  const result = await downloader().download(requestFor(file, url, disk));
  t.true(await sameContent(result.path, file));
});

test('server filenames never leave the directory', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const file = testFile(1000);
  const url = server.serve('/a', file.data);
  for (const filename of ['../../etc/passwd', '/etc/passwd', 'a/../../b', '..', 'bad\u0000name', 'line\nbreak', '']) {
    const error = await t.throwsAsync(downloader().download(requestFor(file, url, directory, { filename })));
    t.true(isUnsafeFilenameError(error), `${JSON.stringify(filename)}: ${String(error)}`);
  }
  t.is(server.requests.length, 0);
  const result = await downloader().download(requestFor(file, url, directory, { filename: 'images/v2/update.raucb' }));
  t.is(result.path, join(directory, 'update.raucb'));
  t.deepEqual(await listDir(directory), ['update.raucb']);
});

test('removeStaleParts removes only the part files of other artifacts', async (t) => {
  const directory = await tempDir(t);
  for (const name of ['keep.raucb.part', 'old.raucb.part', 'other.bin.part', 'done.raucb', 'notes.txt']) {
    await writeFile(join(directory, name), 'x');
  }
  const removed = await removeStaleParts(directory, ['keep.raucb', 'dir/done.raucb']);
  t.deepEqual(removed.sort(), [join(directory, 'old.raucb.part'), join(directory, 'other.bin.part')]);
  t.deepEqual(await listDir(directory), ['done.raucb', 'keep.raucb.part', 'notes.txt']);
  t.deepEqual(await removeStaleParts(join(directory, 'missing'), []), []);
});
