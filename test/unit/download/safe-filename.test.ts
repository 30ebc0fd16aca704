import test from 'ava';
import { isUnsafeFilenameError, safeFilename } from '../../../src/download/index.js';

test('plain names pass unchanged', (t) => {
  for (const name of ['update.raucb', 'bundle-1.2.3_arm64.raucb', 'a b.bin', 'ünïcode.raucb', '.hidden']) t.is(safeFilename(name), name);
});

test('directories are stripped', (t) => {
  t.is(safeFilename('images/v2/update.raucb'), 'update.raucb');
  t.is(safeFilename('images\\update.raucb'), 'update.raucb');
  t.is(safeFilename('./update.raucb'), 'update.raucb');
});

const unsafe: [string, RegExp][] = [
  ['', /empty/],
  ['/etc/passwd', /absolute/],
  ['\\\\server\\share\\x', /absolute/],
  ['C:\\x.bin', /absolute/],
  ['..', /'\.\.'/],
  ['../x.bin', /'\.\.'/],
  ['a/../../x.bin', /'\.\.'/],
  ['a\u0000b', /control/],
  ['a\nb', /control/],
  ['a\u007fb', /control/],
  ['a\u009bb', /control/],
  ['dir/', /no file name/],
  ['.', /no file name/],
  ['x.raucb.part', /reserved/],
  ['x'.repeat(241), /240 bytes/],
];

for (const [name, reason] of unsafe) {
  test(`rejects ${JSON.stringify(name).slice(0, 30)}`, (t) => {
    const error = t.throws(() => safeFilename(name));
    t.true(isUnsafeFilenameError(error));
    t.regex(error?.message ?? '', reason);
    t.is((error as { code?: string } | undefined)?.code, 'DOWNLOAD_UNSAFE_FILENAME');
  });
}
