import { availableParallelism } from 'node:os';
import test from 'ava';
import { SLOT_COUNT, SLOT_SIZE } from '../../../src/download/downloader.js';
import { SlotPoolCache } from '../../../src/download/index.js';
import { testFile } from './fault-server.js';
import { downloader, faultServer, requestFor, sameContent, tempDir } from './setup.js';

const MiB = 1024 * 1024;

test('downloads through a pool cache reuse one pool and its hash threads, a resume and a re-hash from disk included', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const pools = new SlotPoolCache(2);
  t.teardown(() => pools.close());
  const files = [testFile(3 * MiB + 11), testFile(MiB / 2), testFile(2 * MiB)];
  const urls = [server.serve('/a', files[0]!.data, [{ kind: 'cut', at: MiB + 5 }]), server.serve('/b', files[1]!.data), server.serve('/c', files[2]!.data)];
  const kept = downloader({ pools });
  for (const [index, file] of files.entries()) {
    const result = await kept.download(requestFor(file, urls[index]!, directory, { filename: `f${index}.raucb` }));
    t.deepEqual(result.verified, { md5: file.md5, sha256: file.sha256 });
    t.true(await sameContent(result.path, file));
  }
  // The verified file already there: hashed again on the same pool, nothing fetched.
  const again = await kept.download(requestFor(files[1]!, urls[1]!, directory, { filename: 'f1.raucb' }));
  t.true(again.reused);
  t.is(pools.made, 1);
  t.is(pools.idle, 1);
  const pool = pools.take(SLOT_SIZE, SLOT_COUNT);
  t.is(pool.threads?.idle, availableParallelism() > 1 ? Math.min(2, availableParallelism() - 1) : 0);
});

test('downloads at once each take their own pool; the cache keeps no more than its bound', async (t) => {
  const [server, directory] = await Promise.all([faultServer(t), tempDir(t)]);
  const pools = new SlotPoolCache(2);
  t.teardown(() => pools.close());
  const files = [testFile(MiB), testFile(MiB + 3), testFile(MiB + 5)];
  const kept = downloader({ pools });
  const results = await Promise.all(files.map((file, index) => kept.download(requestFor(file, server.serve(`/${index}`, file.data), directory, { filename: `g${index}.raucb` }))));
  t.deepEqual(results.map((result) => result.verified.sha256), files.map((file) => file.sha256));
  t.is(pools.made, 3);
  t.is(pools.idle, 2);
});
