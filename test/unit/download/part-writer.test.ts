import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
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
