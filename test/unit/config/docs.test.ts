import { readFileSync } from 'node:fs';
import test from 'ava';
import { CLIENT_KEYS } from '../../../src/config/index.js';

const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

test('docs/configuration.md documents every [client] key in a table row', (t) => {
  for (const { key, default: fallback } of CLIENT_KEYS) {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
    t.truthy(row, `no row for ${key}`);
    if (fallback !== undefined) t.true(row!.includes(`\`${fallback}\``), `${key}: default ${fallback} not in ${row}`);
  }
});
