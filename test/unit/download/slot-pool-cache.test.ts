import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import test from 'ava';
import { HashSession } from '../../../src/download/hash-session.js';
import { SlotPoolCache } from '../../../src/download/slot-pool-cache.js';
import type { SlotPool } from '../../../src/download/slot-pool.js';

const KiB = 1024;
/** Hash workers a session has on this machine (none on one core: the hashes run inline). */
const threadsPerSession = availableParallelism() > 1 ? Math.min(2, availableParallelism() - 1) : 0;

/** Feeds `bytes` slot by slot (as the part writer does) and returns the session's digests. */
async function hashThrough(pool: SlotPool, bytes: Buffer): Promise<Map<string, string>> {
  const session = new HashSession(['md5', 'sha256'], pool);
  try {
    for (let at = 0; at < bytes.length; at += pool.slotSize) {
      let slot = pool.take();
      while (slot === undefined) {
        await pool.whenFree();
        slot = pool.take();
      }
      const piece = bytes.subarray(at, at + pool.slotSize);
      pool.view(slot, piece.length).set(piece);
      session.feed(slot, piece.length);
      pool.release(slot);
    }
    return await session.digests();
  } finally {
    await session.close();
  }
}

const digestsOf = (bytes: Buffer) => new Map([['md5', createHash('md5').update(bytes).digest('hex')], ['sha256', createHash('sha256').update(bytes).digest('hex')]]);

test('a pool given back is the next one taken, with its memory and its hash threads', async (t) => {
  const pools = new SlotPoolCache(2);
  t.teardown(() => pools.close());
  const first = pools.take(64 * KiB, 4);
  const bytes = randomBytes(300 * KiB + 7);
  t.deepEqual(await hashThrough(first, bytes), digestsOf(bytes));
  t.is(first.threads?.idle, threadsPerSession);
  pools.give(first);
  const second = pools.take(64 * KiB, 4);
  t.is(second, first);
  t.is(pools.made, 1);
  // The kept thread starts fresh hashes for its next session.
  const other = randomBytes(100 * KiB);
  t.deepEqual(await hashThrough(second, other), digestsOf(other));
  t.is(second.threads?.idle, threadsPerSession);
  t.not(pools.take(32 * KiB, 4), first, 'another shape is another pool');
});

test('a session closed before its digest ends its thread; the cache is bounded and ends idle threads on close', async (t) => {
  const pools = new SlotPoolCache(1);
  const pool = pools.take(64 * KiB, 4);
  const session = new HashSession(['sha256'], pool);
  const slot = pool.take()!;
  session.feed(slot, 1000);
  pool.release(slot);
  await session.close();
  t.is(pool.threads?.idle, 0);
  t.is(pool.free, 4);

  const held = pools.take(64 * KiB, 4);
  const kept = held.take()!;
  pools.give(held);
  t.is(pools.idle, 0, 'a pool with a slot still held is not kept');
  held.release(kept);
  pools.give(pool);
  pools.give(pools.take(32 * KiB, 2));
  t.is(pools.idle, 1, 'no more than max');

  const bytes = randomBytes(10 * KiB);
  const again = pools.take(64 * KiB, 4);
  await hashThrough(again, bytes);
  pools.give(again);
  await pools.close();
  t.is(pools.idle, 0);
  t.is(again.threads?.idle, 0);
});
