/**
 * docs/protocol.md's status code table and STATUS_CODES agree, and every code is checked in the
 * feedback body a server received by at least one agent scenario (test/scenario/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import { STATUS_CODES } from '../../../src/ddi/index.js';

const root = new URL('../../../', import.meta.url);
const doc = readFileSync(new URL('docs/protocol.md', root), 'utf8');
const table = doc.slice(doc.indexOf('### Status codes'), doc.indexOf('## Errors and retries'));
const documented = [...table.matchAll(/^\| (\d+) \| ([A-Z_]+) \| .+ \| .+ \|$/gm)].map((row) => [row[2]!, Number(row[1])] as const);

test('the documented status codes are exactly STATUS_CODES', (t) => {
  t.true(documented.length > 10, 'the table was found');
  t.deepEqual(Object.fromEntries(documented), { ...STATUS_CODES });
});

test('every status code is asserted in a scenario test against the received feedback', (t) => {
  const dir = new URL('test/scenario/', root);
  const sources = readdirSync(dir).filter((name) => name.endsWith('.test.ts')).map((name) => readFileSync(new URL(name, dir), 'utf8')).join('\n');
  for (const [name, code] of Object.entries(STATUS_CODES)) {
    t.regex(sources, new RegExp(`\\bcode\\b[^\\n]{0,60}\\b${code}\\b`), `no scenario asserts code ${code} (${name})`);
  }
});
