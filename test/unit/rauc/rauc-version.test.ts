import test from 'ava';
import { hasLargePlainFix, parseRaucVersion } from '../../../src/rauc/rauc-version.js';

test('parses what rauc --version prints', (t) => {
  t.like(parseRaucVersion('rauc 1.13\n'), { major: 1, minor: 13, patch: 0, text: '1.13' });
  t.like(parseRaucVersion('rauc 1.15.2'), { major: 1, minor: 15, patch: 2, text: '1.15.2' });
  t.like(parseRaucVersion('RAUC 1.11.3-dirty'), { major: 1, minor: 11, patch: 3 });
  t.is(parseRaucVersion('command not found'), undefined);
  t.is(parseRaucVersion('1.13'), undefined, 'a number without the program name is not taken');
});

test('the CVE-2026-34155 fix is in 1.15.2 and later', (t) => {
  const fixed = (text: string) => hasLargePlainFix(parseRaucVersion(`rauc ${text}`)!);
  t.false(fixed('1.8'));
  t.false(fixed('1.13'));
  t.false(fixed('1.15'));
  t.false(fixed('1.15.1'));
  t.true(fixed('1.15.2'));
  t.true(fixed('1.16'));
  t.true(fixed('2.0'));
});
