import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { StateStore } from '../../../src/agent/state-store.js';
import { silentLogger } from '../../../src/log/index.js';

test('disk full while persisting the state: the previous state stays intact and the error is ENOSPC', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  } catch (error) {
    t.fail(`cannot mount a tmpfs for this test (needs root): ${(error as Error).message}`);
    return;
  }
  t.teardown(() => execFileSync('umount', [dir]));
  const store = new StateStore(dir, { log: silentLogger() });
  await store.load();
  const action = { id: '9', type: 'forced' as const, bundles: [], files: [] };
  await store.transition({ kind: 'downloading', action });
  const before = readFileSync(join(dir, 'state.json'), 'utf8');
  writeFileSync(join(dir, 'filler'), Buffer.alloc(60 * 1024));
  // A large outcome makes the new state bigger than the space left.
  const details = [Buffer.alloc(16 * 1024, 'x').toString()];
  const error = await t.throwsAsync(store.transition({ kind: 'reporting', action, outcome: { result: 'failure', code: 1001, details } }));
  t.is((error as NodeJS.ErrnoException).code, 'ENOSPC');
  t.is(readFileSync(join(dir, 'state.json'), 'utf8'), before, 'the old state is untouched');
  t.deepEqual(readdirSync(dir).sort(), ['filler', 'state.json'], 'no temp file left');
  const again = new StateStore(dir, { log: silentLogger() });
  t.is(await again.load(), undefined);
  t.is(again.phase.kind, 'downloading');
});
