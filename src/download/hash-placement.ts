import type { HashAlgorithm } from './errors.js';

/** Which algorithms run on the receiving thread, and how the rest are grouped onto worker threads. */
export interface HashPlacement {
  readonly inline: readonly HashAlgorithm[];
  readonly workers: readonly (readonly HashAlgorithm[])[];
}

/** MD5 first: the slowest of the three in OpenSSL on CPUs with SHA instructions (docs/performance.md). */
const SLOWEST_FIRST: readonly HashAlgorithm[] = ['md5', 'sha1', 'sha256'];

/**
 * Where the hashes of a download run, `cores` being the CPUs this process may use (its affinity), as
 * measured (docs/performance.md › Levers): on one core every algorithm runs on the receiving thread (a
 * worker thread only adds hand-offs and ~10 MB); with a core to spare per algorithm each gets its own
 * worker; in between (2 cores, two hashes) the slowest gets the spare core's worker and the others run
 * on the receiving thread, on bytes it has just read and still has in its cache. A receiving thread
 * that serves many downloads at once (`sharedReceiver`: the fleet) gets no hash while a worker can
 * take it: the spare cores' workers share the algorithms instead.
 */
export function placeHashes(algorithms: readonly HashAlgorithm[], cores: number, sharedReceiver = false): HashPlacement {
  if (algorithms.length === 0) return { inline: [], workers: [] };
  if (cores <= 1) return { inline: [...algorithms], workers: [] };
  const spare = cores - 1;
  if (spare >= algorithms.length) return { inline: [], workers: algorithms.map((algorithm) => [algorithm]) };
  if (sharedReceiver) return { inline: [], workers: Array.from({ length: spare }, (_, index) => algorithms.filter((_algorithm, at) => at % spare === index)) };
  const ordered = [...algorithms].sort((a, b) => SLOWEST_FIRST.indexOf(a) - SLOWEST_FIRST.indexOf(b));
  return { inline: ordered.slice(spare), workers: ordered.slice(0, spare).map((algorithm) => [algorithm]) };
}
