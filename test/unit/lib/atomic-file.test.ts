import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { writeFileAtomic } from '../../../src/lib/atomic-file.js';

for (const durable of [true, false]) {
  test(`writeFileAtomic (durable: ${durable}) replaces the content, leaves no temp file, and passes errors on`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'hr-atomic-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'status.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new', { durable });
    t.is(await readFile(path, 'utf8'), 'new');
    t.deepEqual(await readdir(dir), ['status.json']);
    await t.throwsAsync(writeFileAtomic(join(dir, 'missing', 'x.json'), 'y', { durable }), { code: 'ENOENT' });
  });
}
