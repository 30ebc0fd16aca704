/**
 * `npm test`: runs ava with HAWKBIT_RAUC_TEST_MOVES set (every agent, in-process or a child process,
 * records its lifecycle moves), then, for a run of the whole suite (no arguments), the move-coverage
 * check. With arguments (`npm test -- test/scenario/x.test.ts`) only ava runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOVES_FILE } from './check-move-coverage.js';

const args = process.argv.slice(2);
mkdirSync(dirname(MOVES_FILE), { recursive: true });
rmSync(MOVES_FILE, { force: true });
const ava = fileURLToPath(new URL('../node_modules/ava/entrypoints/cli.mjs', import.meta.url));
const run = spawnSync(process.execPath, [ava, ...args], { stdio: 'inherit', env: { ...process.env, HAWKBIT_RAUC_TEST_MOVES: MOVES_FILE } });
if (run.status !== 0) process.exit(run.status ?? 1);
if (args.length === 0) {
  const check = spawnSync(process.execPath, ['--import=tsx', fileURLToPath(new URL('./check-move-coverage.ts', import.meta.url)), MOVES_FILE], { stdio: 'inherit' });
  process.exit(check.status ?? 1);
}
