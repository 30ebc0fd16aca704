import { readFileSync } from 'node:fs';
import test from 'ava';
import { DOC, REGENERATE, withGeneratedBlock } from '../../../scripts/lifecycle-doc.js';

test('docs/lifecycle.md shows the lifecycle table as it is in src/agent/lifecycle.ts', (t) => {
  const text = readFileSync(DOC, 'utf8');
  t.true(text === withGeneratedBlock(text), `docs/lifecycle.md differs from the lifecycle table; regenerate it with: ${REGENERATE}`);
});
