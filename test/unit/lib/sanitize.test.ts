import test from 'ava';
import fc from 'fast-check';
import { sanitizeForLog, sanitizeForTerminal } from '../../../src/lib/sanitize.js';
import { propertyParams } from '../../helpers/property.js';

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const cases: [string, string, string][] = [
  ['colour codes', '\x1b[31mred\x1b[0m plain', 'red plain'],
  ['screen clearing and cursor moves', 'a\x1b[2J\x1b[1;1Hb\x1b[?25l', 'ab'],
  ['a title change (OSC, BEL and ST terminated)', '\x1b]0;owned\x07x\x1b]2;t\x1b\\y', 'xy'],
  ['carriage return that would overwrite the line', 'update.raucb\rok.raucb', 'update.raucbok.raucb'],
  ['backspaces, NUL, tab, DEL', 'a\b\bb\0c\td\x7f', 'abcd'],
  ['a C1 CSI and other C1 controls', 'x\u009b31my\u0085z', 'x31myz'],
  ['bidi overrides (Trojan Source)', 'file\u202Egpj.exe\u202C', 'filegpj.exe'],
  ['a lone ESC at the end', 'abc\x1b', 'abc'],
];
for (const [what, input, expected] of cases) {
  test(`strips ${what}`, (t) => {
    t.is(sanitizeForLog(input), expected);
    t.is(sanitizeForTerminal(input), expected);
  });
}

test('keeps newlines, unless singleLine; keeps ordinary Unicode', (t) => {
  t.is(sanitizeForLog('line 1\nline 2'), 'line 1\nline 2');
  t.is(sanitizeForTerminal('line 1\nline 2', { singleLine: true }), 'line 1 line 2');
  t.is(sanitizeForLog('Größe 1 MiB — 完了 ✓ 😀'), 'Größe 1 MiB — 完了 ✓ 😀');
});

test('caps the length and says how much was cut, never splitting a surrogate pair', (t) => {
  const long = 'x'.repeat(5000);
  const capped = sanitizeForLog(long);
  t.is(capped.length, 2000);
  t.regex(capped, /…\[\d+ more characters\]$/);
  t.true(sanitizeForTerminal(long).length <= 500);
  const emoji = sanitizeForLog('😀'.repeat(100), { maxLength: 41 });
  t.true(emoji.length <= 41);
  t.false(/[\ud800-\udbff](?![\udc00-\udfff])/.test(emoji), 'no lone high surrogate');
  t.is(sanitizeForLog('abcdef', { maxLength: 3 }), 'abc');
});

test('anything that is not a string is converted first', (t) => {
  t.is(sanitizeForLog(42), '42');
  t.is(sanitizeForLog(undefined), 'undefined');
});

test('property: the result never holds a control character or escape, is capped and idempotent', (t) => {
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.array(fc.oneof(fc.constantFrom('\x1b[', '\x1b]', '\x07', '\x1b\\', '\u009b', '\r', '\n', '\u202e'), fc.string({ maxLength: 8 })), { maxLength: 40 })
      .map((parts) => parts.join('')),
  );
  fc.assert(
    fc.property(text, fc.integer({ min: 1, max: 400 }), (input, maxLength) => {
      const output = sanitizeForLog(input, { maxLength });
      return !UNSAFE.test(output) && output.length <= maxLength && sanitizeForLog(output, { maxLength }) === output;
    }),
    propertyParams(400),
  );
  t.pass();
});
