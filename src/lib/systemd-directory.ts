import { resolve } from 'node:path';

/**
 * The first directory of one of systemd's directory variables (CACHE_DIRECTORY, RUNTIME_DIRECTORY: a
 * colon-separated list, one per name in the unit's `CacheDirectory=` or `RuntimeDirectory=`), absolute;
 * undefined when it is unset or empty.
 */
export function firstDirectory(value: string | undefined): string | undefined {
  const first = value?.split(':')[0];
  return first ? resolve(first) : undefined;
}
