import { readFile } from 'node:fs/promises';
import { run } from './process.js';

export interface Leftovers {
  /** Mount points at or below the directory. */
  readonly mounts: string[];
  /** Loop devices (`/dev/loopN`) whose backing file is below the directory. */
  readonly loops: string[];
}

/**
 * What the kernel still holds for files below `dir`: mounts (mountinfo) and loop devices (`losetup -a`).
 * `pid`: read the mounts as that process sees them (its mount namespace and root), e.g. RAUC 1.13's.
 */
export async function findLeftovers(dir: string, options: { pid?: number } = {}): Promise<Leftovers> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const below = (path: string): boolean => path === dir || path.startsWith(prefix);
  const mountinfo = await readFile(`/proc/${options.pid ?? 'self'}/mountinfo`, 'utf8');
  const mounts = mountinfo
    .split('\n')
    .map((line) => unescapeMount(line.split(' ')[4] ?? ''))
    .filter((point) => point !== '' && below(point));
  const loops = (await run('losetup', ['-a']))
    .split('\n')
    .filter((line) => line.includes(prefix))
    .map((line) => line.slice(0, line.indexOf(':')));
  return { mounts, loops };
}

/** Unmounts and detaches whatever `findLeftovers` reports (deepest mounts first). */
export async function removeLeftovers(dir: string): Promise<void> {
  const { mounts } = await findLeftovers(dir);
  for (const point of mounts.sort((a, b) => b.length - a.length)) await run('umount', ['-l', point]).catch(() => undefined);
  const { loops } = await findLeftovers(dir);
  for (const loop of loops) await run('losetup', ['-d', loop]).catch(() => undefined);
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
