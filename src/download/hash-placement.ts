import type { HashAlgorithm } from './errors.js';

/** Which algorithms run on the receiving thread, and how the rest are grouped onto worker threads. */
export interface HashPlacement {
  readonly inline: readonly HashAlgorithm[];
  readonly workers: readonly (readonly HashAlgorithm[])[];
}

/**
 * Where the hashes of a download run, `cores` being the CPUs this process may use (its affinity), as
 * measured (docs/performance.md › Levers, second round): on one core every algorithm runs on the receiving
 * thread (a worker thread only adds hand-offs and ~10 MB); with a core to spare per algorithm each gets
 * its own worker; in between (2 cores) one worker computes them all, beside the receiving thread.
 */
export function placeHashes(algorithms: readonly HashAlgorithm[], cores: number): HashPlacement {
  if (algorithms.length === 0) return { inline: [], workers: [] };
  if (cores <= 1) return { inline: [...algorithms], workers: [] };
  const count = Math.min(algorithms.length, cores - 1);
  return { inline: [], workers: Array.from({ length: count }, (_, index) => algorithms.filter((_algorithm, at) => at % count === index)) };
}
