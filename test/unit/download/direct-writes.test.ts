import { randomBytes } from 'node:crypto';
import { constants, readFileSync } from 'node:fs';
import { mkdtemp, open, readFile, readlink, readdir, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { DIRECT_IO_ALIGN, sharedMemory } from '../../../src/download/aligned-memory.js';
import { PartFile } from '../../../src/download/part-file.js';
import { PartWriter } from '../../../src/download/part-writer.js';
import { SlotPool } from '../../../src/download/slot-pool.js';

const KiB = 1024;
const SLOT = 256 * KiB;

/** A part file in os.tmpdir(), opened buffered and with O_DIRECT (the CI's /tmp allows both). */
async function partFiles(t: ExecutionContext) {
  const directory = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-direct-'));
  const path = join(directory, 'x.part');
  const file = await open(path, 'w+');
  const direct = await open(path, constants.O_WRONLY | constants.O_DIRECT);
  t.teardown(async () => {
    await file.close().catch(() => undefined);
    await direct.close().catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  });
  return { path, file, direct };
}

type Write = { readonly via: 'buffered' | 'direct'; readonly position: number; readonly length: number };

/** `handle` with every writev recorded in `writes`; `fail` makes a write throw instead. */
function recorded(handle: FileHandle, via: Write['via'], writes: Write[], fail?: () => Error | undefined): FileHandle {
  return {
    writev: async (buffers: Buffer[], position: number) => {
      const error = fail?.();
      if (error) throw error;
      writes.push({ via, position, length: buffers.reduce((sum, buffer) => sum + buffer.length, 0) });
      return handle.writev(buffers, position);
    },
    datasync: () => handle.datasync(),
    sync: () => handle.sync(),
  } as unknown as FileHandle;
}

/** Feeds `body` to `writer` in reads of `step` bytes into its target(), as the socket reader does. */
async function feed(writer: PartWriter, body: Buffer, step: number): Promise<void> {
  for (let at = 0; at < body.length; ) {
    const target = writer.target();
    if (target === undefined) {
      await writer.drained();
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    const n = Math.min(step, target.length, body.length - at);
    body.copy(target, 0, at, at + n);
    if (!writer.write(target, 0, n)) await writer.drained();
    at += n;
  }
  await writer.finish();
}

test('pool memory is page-aligned when it can be; otherwise a plain SharedArrayBuffer, and the pool says so', (t) => {
  const memory = sharedMemory(16 * SLOT);
  t.true(memory.aligned);
  t.is(memory.buffer.byteLength, 16 * SLOT);
  t.true(new SlotPool(SLOT, 16).aligned);
  t.false(new SlotPool(8, 2).aligned, 'not a whole number of pages');
  t.false(new SlotPool(DIRECT_IO_ALIGN + 8, 16).aligned, 'slots that do not start on page boundaries');
  t.false(sharedMemory(16 * SLOT, null).aligned, 'no WebAssembly (--jitless)');
  const refused = sharedMemory(16 * SLOT, {
    Memory: class {
      constructor() {
        throw new RangeError('WebAssembly.Memory(): could not allocate memory');
      }
    } as never,
  });
  t.false(refused.aligned, 'no address space left');
  t.true(refused.buffer instanceof SharedArrayBuffer);
  t.is(refused.buffer.byteLength, 16 * SLOT);
});

test('full slots go past the page cache (O_DIRECT), the unaligned tail through it; the file is the body', async (t) => {
  const { path, file, direct } = await partFiles(t);
  const writes: Write[] = [];
  const pool = new SlotPool(SLOT, 16);
  const writer = new PartWriter({ file: recorded(file, 'buffered', writes), direct: recorded(direct, 'direct', writes), position: 0, pool, session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  const body = randomBytes(5 * SLOT + 12_345);
  await feed(writer, body, 64 * KiB);
  t.true((await readFile(path)).equals(body));
  const tail = writes.at(-1)!;
  t.deepEqual(tail, { via: 'buffered', position: 5 * SLOT, length: 12_345 });
  t.true(writes.slice(0, -1).every((write) => write.via === 'direct'), JSON.stringify(writes));
  t.is(writes.slice(0, -1).reduce((sum, write) => sum + write.length, 0), 5 * SLOT);
  t.is(pool.free, pool.count);
});

test('a resume at an unaligned offset: the first slot ends at the next aligned offset, every later full slot is direct', async (t) => {
  const { path, file, direct } = await partFiles(t);
  const head = randomBytes(10_000);
  await file.write(head, 0, head.length, 0);
  const writes: Write[] = [];
  const writer = new PartWriter({ file: recorded(file, 'buffered', writes), direct: recorded(direct, 'direct', writes), position: head.length, pool: new SlotPool(SLOT, 16), session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  const body = randomBytes(3 * SLOT);
  await feed(writer, body, 50_000);
  t.true((await readFile(path)).equals(Buffer.concat([head, body])));
  const first = writes[0]!;
  t.deepEqual(first, { via: 'buffered', position: 10_000, length: SLOT - (10_000 % DIRECT_IO_ALIGN) });
  const middle = writes.slice(1, -1);
  t.true(middle.length > 0 && middle.every((write) => write.via === 'direct' && write.position % DIRECT_IO_ALIGN === 0), JSON.stringify(writes));
  t.is(writes.at(-1)!.via, 'buffered', 'what is left after the last full slot');
});

test('a file system that takes the O_DIRECT open but refuses a write (EINVAL): that write and all after it go through the page cache', async (t) => {
  const { path, file, direct } = await partFiles(t);
  const writes: Write[] = [];
  let refusals = 0;
  const refusing = recorded(direct, 'direct', writes, () => {
    refusals++;
    return Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' });
  });
  const writer = new PartWriter({ file: recorded(file, 'buffered', writes), direct: refusing, position: 0, pool: new SlotPool(SLOT, 16), session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  const body = randomBytes(4 * SLOT);
  await feed(writer, body, 64 * KiB);
  t.true((await readFile(path)).equals(body));
  t.is(refusals, 1, 'asked once');
  t.true(writes.every((write) => write.via === 'buffered'));
});

test('another direct write error (ENOSPC) fails the download like any write error', async (t) => {
  const { file, direct } = await partFiles(t);
  const writes: Write[] = [];
  const full = recorded(direct, 'direct', writes, () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
  const writer = new PartWriter({ file: recorded(file, 'buffered', writes), direct: full, position: 0, pool: new SlotPool(SLOT, 16), session: undefined, maxLength: undefined, speedLimit: undefined, onBytes: () => undefined });
  const error = await t.throwsAsync(feed(writer, randomBytes(4 * SLOT), 64 * KiB));
  t.is((error as NodeJS.ErrnoException).code, 'ENOSPC');
  t.is(writes.length, 0, 'nothing retried through the page cache');
});

test('PartFile opens the part file a second time with O_DIRECT for an aligned pool (the kernel says so), and not for another', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-direct-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const openFlags = async (path: string) => {
    const flags: number[] = [];
    for (const fd of await readdir('/proc/self/fd')) {
      const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
      if (target === path) flags.push(Number.parseInt(/^flags:\s+(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8));
    }
    return flags;
  };
  const aligned = await PartFile.open(join(directory, 'a.part'), [], new SlotPool(SLOT, 16));
  const flags = await openFlags(join(directory, 'a.part'));
  await aligned.close();
  t.is(flags.length, 2);
  t.is(flags.filter((value) => (value & constants.O_DIRECT) !== 0).length, 1, 'one of the two descriptors is O_DIRECT');
  const plain = await PartFile.open(join(directory, 'b.part'), [], new SlotPool(8, 2));
  const plainFlags = await openFlags(join(directory, 'b.part'));
  await plain.close();
  t.deepEqual(plainFlags.map((value) => value & constants.O_DIRECT), [0]);
  t.deepEqual(await openFlags(join(directory, 'a.part')), [], 'close() closes both');
});
