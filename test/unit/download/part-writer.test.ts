import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { isSizeMismatchError } from '../../../src/download/errors.js';
import { PartWriter } from '../../../src/download/part-writer.js';
import { SlotPool } from '../../../src/download/slot-pool.js';
import { SpeedLimit } from '../../../src/download/speed-limit.js';

async function partFile(t: ExecutionContext) {
  const directory = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-part-writer-'));
  const path = join(directory, 'x.part');
  const file = await open(path, 'w+');
  t.teardown(async () => {
    await file.close().catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  });
  return { path, file };
}

test('views from a reused buffer: what does not fit the busy pool is kept, write() says pause, drained() moves it on', async (t) => {
  const { path, file } = await partFile(t);
  const pool = new SlotPool(8, 2);
  const counted: number[] = [];
  const writer = new PartWriter({ file, position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: (n) => counted.push(n) });
  const data = randomBytes(100);
  const reused = Buffer.alloc(30);
  let pauses = 0;
  for (let at = 0; at < data.length; at += 30) {
    const n = data.copy(reused, 0, at, Math.min(at + 30, data.length));
    if (!writer.write(reused, 0, n)) {
      pauses++;
      await writer.drained();
    }
    reused.fill(0xee); // the reader's next read overwrites the view
  }
  await writer.finish();
  t.true(pauses > 0, 'two 8-byte slots cannot take 30 bytes at once');
  t.true((await readFile(path)).equals(data));
  t.is(writer.written, 100);
  t.is(counted.reduce((a, b) => a + b, 0), 100);
});

test('writes that come while paused are kept after the waiting bytes, in order', async (t) => {
  const { path, file } = await partFile(t);
  const pool = new SlotPool(8, 1);
  const writer = new PartWriter({ file, position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  const data = randomBytes(50);
  t.false(writer.write(data, 0, 20));
  t.false(writer.write(data, 20, 35), 'still paused');
  t.false(writer.write(data, 35, 50));
  await writer.finish();
  t.true((await readFile(path)).equals(data));
});

test('abort() writes the bytes in slots, drops the kept ones, and the file length is what was written', async (t) => {
  const { path, file } = await partFile(t);
  const pool = new SlotPool(8, 1);
  let counted = 0;
  const writer = new PartWriter({ file, position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: (n) => (counted += n) });
  const data = randomBytes(20);
  t.false(writer.write(data, 0, 20));
  writer.abort();
  await writer.settled();
  t.is(writer.written, 8);
  t.is(counted, 8, 'dropped bytes were never counted');
  t.true((await readFile(path)).equals(data.subarray(0, 8)));
});

test('more bytes than the artifact size: SizeMismatchError before anything of them is taken', async (t) => {
  const { file } = await partFile(t);
  const writer = new PartWriter({ file, position: 5, pool: new SlotPool(8, 2), session: undefined, maxLength: 10, speedLimit: undefined, onBytes: () => undefined });
  t.true(writer.write(Buffer.alloc(5), 0, 5));
  t.true(isSizeMismatchError(t.throws(() => writer.write(Buffer.alloc(1), 0, 1))));
});

test('under a speed cap write() asks for a pause and drained() waits for the cap', async (t) => {
  const { file } = await partFile(t);
  let now = 0;
  const writer = new PartWriter({ file, position: 0, pool: new SlotPool(1024, 2), session: undefined, maxLength: undefined, speedLimit: new SpeedLimit(1000, () => now), onBytes: () => undefined });
  t.false(writer.write(Buffer.alloc(100), 0, 100), '100 bytes at 1000 B/s from an empty bucket');
  const started = performance.now();
  now = 0;
  await writer.drained();
  t.true(performance.now() - started >= 90, 'waited about 100 ms');
});

/** Simulates onread into target(): the socket puts `framing` bytes, then body bytes, into the view the writer offers. */
function readInto(writer: PartWriter, pool: SlotPool, body: Buffer, framing: number): { inPlace: number } {
  let at = 0;
  let inPlace = 0;
  while (at < body.length) {
    const target = writer.target();
    if (target === undefined) throw new Error('no target while slots are free');
    if (target.buffer !== pool.buffer) throw new Error('the target is not slot memory');
    const skip = at === 0 ? Math.min(framing, target.length - 1) : 0;
    const n = Math.min(target.length - skip, body.length - at);
    target.fill(0xaa, 0, skip); // a response head or chunk line in front of the body bytes
    body.copy(target, skip, at, at + n);
    if (skip === 0) inPlace++;
    if (!writer.write(target, skip, skip + n)) throw new Error('paused with free slots');
    at += n;
  }
  return { inPlace };
}

test('reads into target(): body bytes read in place need no copy, bytes after framing are moved to the slot, the file is the body', async (t) => {
  const { path, file } = await partFile(t);
  const pool = new SlotPool(64, 8);
  const writer = new PartWriter({ file, position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  const body = randomBytes(300);
  const { inPlace } = readInto(writer, pool, body, 17);
  t.true(inPlace > 0);
  await writer.finish();
  t.true((await readFile(path)).equals(body));
  t.is(pool.free, pool.count, 'every slot is back');
});

test('a slot taken by target() for a read that brought nothing goes back at finish() and at abort()', async (t) => {
  const { file } = await partFile(t);
  const pool = new SlotPool(16, 2);
  const writer = new PartWriter({ file, position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  t.is(writer.target()?.length, 16);
  t.is(pool.free, 1);
  await writer.finish();
  t.is(pool.free, 2);
  const other = new PartWriter({ file, position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  t.truthy(other.target());
  other.abort();
  await other.settled();
  t.is(pool.free, 2);
  t.is(other.target(), undefined, 'no target after abort');
});

test('no target while bytes wait in the spill buffer or every slot is busy', async (t) => {
  const { path, file } = await partFile(t);
  const pool = new SlotPool(8, 1);
  const writer = new PartWriter({ file, position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  const data = randomBytes(20);
  t.false(writer.write(data, 0, 20), 'one slot of 8 bytes: the rest waits');
  t.is(writer.target(), undefined);
  await writer.drained();
  await writer.finish();
  t.true((await readFile(path)).equals(data));
});

/** A part file whose writes wait for `gate` and are counted; datasync may be made to fail. */
async function slowFile(t: ExecutionContext, options: { datasyncError?: Error } = {}) {
  const { path, file } = await partFile(t);
  const calls = { writev: 0, datasync: 0, sync: 0 };
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const handle = {
    writev: async (buffers: Buffer[], position: number) => {
      calls.writev++;
      await gate;
      return file.writev(buffers, position);
    },
    datasync: async () => {
      calls.datasync++;
      if (options.datasyncError) throw options.datasyncError;
      return file.datasync();
    },
    sync: async () => {
      calls.sync++;
      return file.sync();
    },
  } as unknown as FileHandle;
  return { path, file: handle, calls, release: () => open(), hold: () => (gate = new Promise<void>((resolve) => (open = resolve))) };
}

test('slots that queue up behind a running write go to the file together, in order', async (t) => {
  const { path, file, calls, release } = await slowFile(t);
  const pool = new SlotPool(8, 8);
  const writer = new PartWriter({ file, position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  const data = randomBytes(60);
  for (let at = 0; at < data.length; at += 10) writer.write(data, at, Math.min(at + 10, data.length));
  t.is(calls.writev, 1, 'the first slot is being written; the others wait');
  release();
  await writer.finish();
  t.true((await readFile(path)).equals(data));
  t.true(calls.writev < 8, `${calls.writev} system calls for 8 slots`);
  t.is(calls.sync, 1);
  t.is(pool.free, pool.count);
});

test('every flushBytes written the data is flushed while the download goes on; a failed flush fails the download', async (t) => {
  const flushed = await slowFile(t);
  flushed.release();
  const pool = new SlotPool(8, 4);
  const writer = new PartWriter({ file: flushed.file, position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined, flushBytes: 16 });
  const data = randomBytes(64);
  for (let at = 0; at < data.length; at += 8) {
    if (!writer.write(data, at, at + 8)) await writer.drained();
    await writer.settled();
  }
  await writer.finish();
  t.true((await readFile(flushed.path)).equals(data));
  t.true(flushed.calls.datasync >= 2, `${flushed.calls.datasync} flushes`);

  const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
  const failing = await slowFile(t, { datasyncError: eio });
  failing.release();
  const broken = new PartWriter({ file: failing.file, position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined, flushBytes: 8 });
  const error = await t.throwsAsync(async () => {
    for (let at = 0; at < data.length; at += 8) {
      if (!broken.write(data, at, at + 8)) await broken.drained();
      await broken.settled();
    }
    await broken.finish();
  });
  t.is((error as NodeJS.ErrnoException).code, 'EIO');
  t.is(failing.calls.sync, 0, 'no fsync reported as done after a failed flush');
});

test('every slot busy: write() asks for a pause with nothing kept, drained() waits for a free slot, finish() does not', async (t) => {
  const { path, file, release } = await slowFile(t);
  const pool = new SlotPool(8, 2);
  const writer = new PartWriter({ file, position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  const data = randomBytes(20);
  t.true(writer.write(data, 0, 8), 'a slot is still free');
  t.false(writer.write(data, 8, 16), 'both slots are being written: the next read would have nowhere to go');
  t.is(writer.target(), undefined);
  let drained = false;
  const waiting = writer.drained().then(() => (drained = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.false(drained, 'no slot free yet');
  release();
  await waiting;
  t.truthy(writer.target(), 'a slot for the next read');
  t.true(writer.write(data, 16, 20));
  await writer.finish();
  t.true((await readFile(path)).equals(data));
  // A body that ends while every slot is busy: finish() writes them all.
  const busy = await slowFile(t);
  const full = new PartWriter({ file: busy.file, position: 0, pool: new SlotPool(8, 2), session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  t.false(full.write(data, 0, 16));
  const finished = full.finish();
  busy.release();
  await finished;
  t.true((await readFile(busy.path)).subarray(0, 16).equals(data.subarray(0, 16)));
});
