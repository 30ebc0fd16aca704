/**
 * JSON fixtures of what a real hawkBit sent, under test/fixtures/ddi/<version>/, for the fake server
 * and the contract tests to be checked against.
 *
 * A run compares every response with its committed fixture by *shape* (keys and value types, nested),
 * so a server that changes its answers fails the e2e suite; `UPDATE_FIXTURES=1 npm run test:e2e`
 * rewrites them instead, and a missing one is written (under CI=true a missing one fails). Fixtures are scrubbed: the server's origin becomes `http://hawkbit.test`, the
 * controller id `device-1`, and the opaque `c` parameter `0`; ids and hashes stay as the run made them.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

export const FIXTURE_ROOT = fileURLToPath(new URL('../fixtures/ddi/', import.meta.url));

export interface ScrubContext {
  readonly url: string;
  readonly controllerId: string;
}

/** Replaces run-specific values (origin, controller id, `c` parameter) with stable ones. */
export function scrub(json: unknown, context: ScrubContext): unknown {
  const text = JSON.stringify(json)
    .split(context.url.replace(/\/+$/, ''))
    .join('http://hawkbit.test')
    .split(context.controllerId)
    .join('device-1')
    .replace(/([?&]c=)-?\d+/g, '$10');
  return JSON.parse(text) as unknown;
}

/** The shape of a JSON value: objects by sorted keys, arrays by their first element, else typeof. */
export function shapeOf(json: unknown): unknown {
  if (Array.isArray(json)) return json.length === 0 ? [] : [shapeOf(json[0])];
  if (json === null) return 'null';
  if (typeof json === 'object') {
    const entries = Object.entries(json as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(entries.map(([key, value]) => [key, shapeOf(value)]));
  }
  return typeof json;
}

/**
 * Checks `json` against the fixture `<version>/<name>.json` by shape, or (re)writes the fixture when
 * UPDATE_FIXTURES=1 or it does not exist yet (then the test notes it in its log).
 */
export async function checkFixture(
  t: ExecutionContext,
  version: string,
  name: string,
  json: unknown,
  context: ScrubContext,
): Promise<void> {
  const file = join(FIXTURE_ROOT, version, `${name}.json`);
  const scrubbed = scrub(json, context);
  let existing: unknown;
  try {
    existing = JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing === undefined && process.env.CI === 'true' && process.env.UPDATE_FIXTURES !== '1') {
    t.fail(`fixture ${version}/${name}.json is missing: run UPDATE_FIXTURES=1 npm run test:e2e and commit it`);
    return;
  }
  if (existing === undefined || process.env.UPDATE_FIXTURES === '1') {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(scrubbed, null, 2)}\n`);
    t.log(`wrote fixture ${version}/${name}.json`);
    return;
  }
  t.deepEqual(shapeOf(scrubbed), shapeOf(existing), `the server's ${name} no longer has the shape of ${version}/${name}.json`);
}
