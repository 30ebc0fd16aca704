import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { systemErrorCode } from '../lib/errors.js';
import { PART_SUFFIX } from './paths.js';
import { safeFilename } from './safe-filename.js';

/**
 * Removes partial downloads (`*.part`) in `directory` that do not belong to one of the files in `keep`
 * (final file names or untrusted artifact names; both are mapped through safeFilename). Returns the
 * paths removed. Complete files are never touched.
 */
export async function removeStaleParts(
  directory: string,
  keep: readonly string[],
  options: { signal?: AbortSignal } = {},
): Promise<string[]> {
  options.signal?.throwIfAborted();
  const kept = new Set<string>();
  for (const name of keep) {
    try {
      kept.add(`${safeFilename(name)}${PART_SUFFIX}`);
    } catch {
      // An unsafe name can never have produced a part file: nothing to keep for it.
    }
  }
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const entry of entries) {
    options.signal?.throwIfAborted();
    if (!entry.isFile() || !entry.name.endsWith(PART_SUFFIX) || kept.has(entry.name)) continue;
    const path = join(directory, entry.name);
    await rm(path, { force: true });
    removed.push(path);
  }
  return removed;
}
