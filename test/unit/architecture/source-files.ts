import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the scans of src/ look. */
export const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

/** Every `.ts` file below `root`, by its path relative to `root` (with `/`), with its text. */
export function readSources(root: string = SRC): Map<string, string> {
  const sources = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const full = path.join(entry.parentPath, entry.name);
    sources.set(path.relative(root, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
  }
  return sources;
}
