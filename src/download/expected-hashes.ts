import { ChecksumMismatchError, UnverifiedDownloadError, type HashAlgorithm } from './errors.js';
import type { ExpectedHashes } from './types.js';

export interface ExpectedHash {
  readonly algorithm: HashAlgorithm;
  /** Hex, lower case. */
  readonly hex: string;
}

/**
 * The hashes to check: MD5 whenever given, plus the strongest other one given (SHA-256, else SHA-1).
 * No hash at all → UnverifiedDownloadError unless unverified downloads are allowed (then none).
 */
export function hashesToCheck(hashes: ExpectedHashes, options: { allowUnverified: boolean; filename: string }): ExpectedHash[] {
  const chosen: ExpectedHash[] = [];
  const add = (algorithm: HashAlgorithm, value: string | undefined) => {
    const hex = value?.trim().toLowerCase();
    if (hex) chosen.push({ algorithm, hex });
  };
  add('md5', hashes.md5);
  if (hashes.sha256?.trim()) add('sha256', hashes.sha256);
  else add('sha1', hashes.sha1);
  if (chosen.length === 0 && !options.allowUnverified) throw new UnverifiedDownloadError(options.filename);
  return chosen;
}

/** Throws ChecksumMismatchError for the first computed digest that differs from the expected one. */
export function assertDigests(expected: readonly ExpectedHash[], actual: ReadonlyMap<HashAlgorithm, string>, file: string): ExpectedHashes {
  const verified: { md5?: string; sha1?: string; sha256?: string } = {};
  for (const { algorithm, hex } of expected) {
    const computed = actual.get(algorithm) ?? '';
    if (computed !== hex) throw new ChecksumMismatchError({ algorithm, expected: hex, actual: computed, file });
    verified[algorithm] = computed;
  }
  return verified;
}
