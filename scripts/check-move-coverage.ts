/**
 * The move-coverage check: compares the moves the test suite made (one JSON line per move, written by
 * the agent when HAWKBIT_RAUC_TEST_MOVES names a file) with the moves of the lifecycle table
 * (src/agent/lifecycle.ts). Fails naming every move of the table no test made and every move made that
 * is not in the table.
 *   node --import=tsx scripts/check-move-coverage.ts [moves.jsonl]
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { moves } from '../src/agent/lifecycle.js';

export const MOVES_FILE = fileURLToPath(new URL('../.cache/lifecycle-moves.jsonl', import.meta.url));

export interface Coverage {
  /** Table moves (from → to) no test made. */
  readonly missing: string[];
  /** Moves made (from → to on event) that the table does not have. */
  readonly unknown: string[];
  readonly made: number;
  readonly total: number;
}

export function coverage(lines: readonly string[]): Coverage {
  const table = moves();
  const pairs = new Set(table.map((move) => `${move.from} → ${move.to}`));
  const triples = new Set(table.map((move) => `${move.from} → ${move.to} on ${move.event}`));
  const seen = new Set<string>();
  const unknown = new Set<string>();
  for (const line of lines) {
    if (line.trim() === '') continue;
    const move = JSON.parse(line) as { from: string; to: string; event: string };
    const triple = `${move.from} → ${move.to} on ${move.event}`;
    if (!triples.has(triple)) unknown.add(triple);
    seen.add(`${move.from} → ${move.to}`);
  }
  const missing = [...pairs].filter((pair) => !seen.has(pair));
  return { missing, unknown: [...unknown], made: pairs.size - missing.length, total: pairs.size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? MOVES_FILE;
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  const result = coverage(lines);
  console.log(`lifecycle move coverage: ${result.made} of ${result.total} moves of the table made by the tests (${file})`);
  for (const move of result.missing) console.error(`  never made: ${move}`);
  for (const move of result.unknown) console.error(`  made, but not in the table: ${move}`);
  if (result.missing.length > 0 || result.unknown.length > 0) {
    console.error('add a test that makes each missing move, or take a move no code makes out of src/agent/lifecycle.ts');
    process.exitCode = 1;
  }
}
