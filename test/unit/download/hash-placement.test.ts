import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { HashSession } from '../../../src/download/hash-session.js';
import { placeHashes } from '../../../src/download/hash-placement.js';
import { SlotPool } from '../../../src/download/slot-pool.js';

test('one core: every algorithm on the receiving thread, no worker', (t) => {
  t.deepEqual(placeHashes(['md5', 'sha256'], 1), { inline: ['md5', 'sha256'], workers: [] });
});

test('two cores: the slowest hash (MD5) on a worker, the other on the receiving thread; a core per algorithm: a worker each', (t) => {
  t.deepEqual(placeHashes(['md5', 'sha256'], 2), { inline: ['sha256'], workers: [['md5']] });
  t.deepEqual(placeHashes(['sha256', 'md5'], 2), { inline: ['sha256'], workers: [['md5']] });
  t.deepEqual(placeHashes(['sha1', 'md5'], 2), { inline: ['sha1'], workers: [['md5']] });
  t.deepEqual(placeHashes(['md5', 'sha1', 'sha256'], 3), { inline: ['sha256'], workers: [['md5'], ['sha1']] });
  t.deepEqual(placeHashes(['sha256'], 2), { inline: [], workers: [['sha256']] });
  t.deepEqual(placeHashes(['md5', 'sha256'], 3), { inline: [], workers: [['md5'], ['sha256']] });
  t.deepEqual(placeHashes(['md5', 'sha1', 'sha256'], 8), { inline: [], workers: [['md5'], ['sha1'], ['sha256']] });
  t.deepEqual(placeHashes([], 1), { inline: [], workers: [] });
});

test('a receiving thread shared by many downloads (the fleet) gets no hash while there is a spare core', (t) => {
  t.deepEqual(placeHashes(['md5', 'sha256'], 2, true), { inline: [], workers: [['md5', 'sha256']] });
  t.deepEqual(placeHashes(['md5', 'sha256'], 4, true), { inline: [], workers: [['md5'], ['sha256']] });
  t.deepEqual(placeHashes(['md5', 'sha256'], 1, true), { inline: ['md5', 'sha256'], workers: [] });
});

for (const cores of [1, 2, 4]) {
  test(`${cores} core(s): the digests of bytes fed from a file and from slots are those of the bytes`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'hash-placement-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const bytes = randomBytes(3 * 1024 * 1024 + 12345);
    const head = 1024 * 1024 + 7;
    await writeFile(join(dir, 'part'), bytes.subarray(0, head));
    const pool = new SlotPool(256 * 1024, 4);
    const session = new HashSession(['md5', 'sha1', 'sha256'], pool, cores);
    t.teardown(() => session.close());
    await session.feedFile(join(dir, 'part'), head);
    for (let at = head; at < bytes.length; ) {
      const slot = pool.take() ?? (await pool.whenFree().then(() => pool.take()));
      if (slot === undefined) continue;
      const length = Math.min(pool.slotSize, bytes.length - at);
      bytes.copy(pool.view(slot, length), 0, at, at + length);
      session.feed(slot, length);
      pool.release(slot);
      at += length;
    }
    t.is(session.bytes, bytes.length);
    const digests = await session.digests();
    for (const algorithm of ['md5', 'sha1', 'sha256'] as const) {
      t.is(digests.get(algorithm), createHash(algorithm).update(bytes).digest('hex'), algorithm);
    }
  });
}
