import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CachedScript, startWithCodeCache } from '../../../src/lib/code-cache.js';

// A CommonJS script as the device build's bundle is one: a #! line, require() of built-ins, module.exports.
const SCRIPT = [
  '#!/usr/bin/env node',
  "const { basename } = require('node:path');",
  'function where() { return new Error("here").stack.split("\\n")[1]; }',
  'module.exports = { file: basename(__filename), dir: __dirname, where: where(), later: () => import("node:os") };',
  '',
].join('\n');

/**
 * A script in a new directory, its text made unique to the test: V8 keeps what it compiled per process
 * (keyed by text and file name) and would not even look at a cache for a script it compiled before.
 * `again()` is the same text under another path, as a second start would compile it.
 */
function setUp(t: { title: string; teardown(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'hr-code-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const text = `${SCRIPT}// ${t.title}\n`;
  const script = join(dir, 'bundle.cjs');
  writeFileSync(script, text);
  const cacheDir = join(dir, 'cache');
  let starts = 0;
  const again = () => {
    const other = mkdtempSync(join(dir, `start-${++starts}-`));
    writeFileSync(join(other, 'bundle.cjs'), readFileSync(script));
    return join(other, 'bundle.cjs');
  };
  return { dir, script, cacheDir, cacheFile: join(cacheDir, 'code-cache', 'bundle.cjs.v8'), again };
}

interface Exports { file: string; dir: string; where: string; later: () => Promise<unknown> }

test('without a cache directory the script runs as a CommonJS module and nothing is written', async (t) => {
  const { dir, script } = setUp(t);
  const loaded = CachedScript.load({ script });
  t.is(loaded.cache, 'off');
  t.false(loaded.wantsSave);
  const exports = loaded.run() as Exports;
  t.is(exports.file, 'bundle.cjs');
  t.is(exports.dir, dir);
  // Line numbers are the file's (the #! line stays line 1).
  t.regex(exports.where, /bundle\.cjs:3:\d+/);
  t.is(loaded.save(), undefined);
  t.deepEqual(readdirSync(dir), ['bundle.cjs']);
});

test('the first start writes the cache (0600 in a 0700 directory), the next one hands it to V8', async (t) => {
  const { script, cacheDir, cacheFile, again } = setUp(t);
  const first = CachedScript.load({ script, cacheDir });
  t.is(first.cache, 'absent');
  t.true(first.wantsSave);
  first.run();
  t.is(first.save(), undefined);
  t.false(first.wantsSave, 'saved once');
  t.is(statSync(cacheFile).mode & 0o777, 0o600);
  t.is(statSync(join(cacheDir, 'code-cache')).mode & 0o777, 0o700);
  t.deepEqual(readdirSync(join(cacheDir, 'code-cache')), ['bundle.cjs.v8']);

  const second = CachedScript.load({ script: again(), cacheDir });
  t.is(second.cache, 'accepted');
  t.false(second.wantsSave);
  t.is((second.run() as Exports).file, 'bundle.cjs');
  const written = statSync(cacheFile).mtimeMs;
  t.is(second.save(), undefined);
  t.is(statSync(cacheFile).mtimeMs, written, 'an accepted cache is not written again');
});

test('import() is not available to the script, with or without the cache (the device build has none)', async (t) => {
  const { script, cacheDir, again } = setUp(t);
  const first = CachedScript.load({ script, cacheDir });
  await t.throwsAsync((first.run() as Exports).later(), { code: 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING' });
  first.save();
  const cached = CachedScript.load({ script: again(), cacheDir });
  t.is(cached.cache, 'accepted');
  await t.throwsAsync((cached.run() as Exports).later(), { code: 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING' });
});

test('a cache of another script text is stale and replaced', (t) => {
  const { script, cacheDir, again } = setUp(t);
  CachedScript.load({ script, cacheDir }).save();
  writeFileSync(script, readFileSync(script, 'utf8').replace('where()', 'where( )'));
  const changed = CachedScript.load({ script, cacheDir });
  t.is(changed.cache, 'stale');
  changed.run();
  t.is(changed.save(), undefined);
  t.is(CachedScript.load({ script: again(), cacheDir }).cache, 'accepted');
});

test('a torn, altered or foreign cache file is damaged: the script compiles from its source', (t) => {
  const { script, cacheDir, cacheFile } = setUp(t);
  CachedScript.load({ script, cacheDir }).save();
  const good = readFileSync(cacheFile);
  const altered = Buffer.from(good);
  altered[altered.length - 1]! ^= 0xff;
  for (const [what, content] of [['torn', good.subarray(0, good.length - 100)], ['altered', altered], ['foreign', Buffer.from('not a cache')], ['empty', Buffer.alloc(0)]] as const) {
    writeFileSync(cacheFile, content);
    const loaded = CachedScript.load({ script, cacheDir });
    t.is(loaded.cache, 'damaged', what);
    t.is((loaded.run() as Exports).file, 'bundle.cjs', what);
  }
});

test('data that V8 refuses is reported as rejected, and the script still runs', (t) => {
  const { script, cacheDir, cacheFile, again } = setUp(t);
  CachedScript.load({ script, cacheDir }).save();
  const good = readFileSync(cacheFile);
  // Same header and key, other data with a matching hash: only V8's own check can refuse it.
  const headerBytes = good.indexOf('\n') + 1 + 32;
  const data = Buffer.alloc(good.length - headerBytes - 32, 7);
  writeFileSync(cacheFile, Buffer.concat([good.subarray(0, headerBytes), createHash('sha256').update(data).digest(), data]));
  const loaded = CachedScript.load({ script: again(), cacheDir });
  t.is(loaded.cache, 'rejected');
  t.true(loaded.wantsSave);
  t.is((loaded.run() as Exports).file, 'bundle.cjs');
});

test('a cache that cannot be written is an error for the caller, and no temporary file stays', (t) => {
  const { dir, script } = setUp(t);
  const notADirectory = join(dir, 'file');
  writeFileSync(notADirectory, '');
  const loaded = CachedScript.load({ script, cacheDir: notADirectory });
  loaded.run();
  const error = loaded.save();
  t.is((error as NodeJS.ErrnoException | undefined)?.code, 'ENOTDIR');
  const readOnly = join(dir, 'read-only');
  const blocked = CachedScript.load({ script, cacheDir: readOnly });
  blocked.save();
  chmodSync(join(readOnly, 'code-cache'), 0o500);
  t.teardown(() => chmodSync(join(readOnly, 'code-cache'), 0o700));
  rmSync(join(readOnly, 'code-cache', 'bundle.cjs.v8'));
  const again = CachedScript.load({ script, cacheDir: readOnly });
  const refused = again.save();
  // root writes anyway; anyone else is refused. Either way nothing but the cache is left behind.
  if (process.getuid?.() !== 0) t.is((refused as NodeJS.ErrnoException | undefined)?.code, 'EACCES');
  t.true(readdirSync(join(readOnly, 'code-cache')).every((name) => name === 'bundle.cjs.v8'));
});

test('startWithCodeCache saves after the given time and reports a failed save in one line', async (t) => {
  const { dir, script, cacheDir, cacheFile, again } = setUp(t);
  const warnings: string[] = [];
  const started = startWithCodeCache({ script, cacheDir, saveAfterMs: 10, warn: (line) => warnings.push(line) });
  t.is(started.cache, 'absent');
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.true(statSync(cacheFile).size > 0);
  t.deepEqual(warnings, []);
  t.is(startWithCodeCache({ script: again(), cacheDir, saveAfterMs: 10, warn: (line) => warnings.push(line) }).cache, 'accepted');

  const blocked = join(dir, 'blocked');
  writeFileSync(blocked, '');
  startWithCodeCache({ script, cacheDir: blocked, saveAfterMs: 10, warn: (line) => warnings.push(line) });
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.deepEqual(warnings, [`hawkbit-rauc: the code cache was not saved (${join(blocked, 'code-cache', 'bundle.cjs.v8')}: ENOTDIR); the next start compiles the program again`]);
});
