import { join, resolve } from 'node:path';
import { safeFilename } from './safe-filename.js';

export const PART_SUFFIX = '.part';

export interface TargetPaths {
  readonly directory: string;
  readonly name: string;
  /** Where the verified file lands. */
  readonly final: string;
  /** Where bytes are written while the transfer runs. */
  readonly part: string;
}

/** The final and partial paths for an untrusted name; both always inside `directory`. */
export function targetPaths(directory: string, untrustedName: string): TargetPaths {
  const name = safeFilename(untrustedName);
  const dir = resolve(directory);
  const final = join(dir, name);
  return { directory: dir, name, final, part: `${final}${PART_SUFFIX}` };
}
