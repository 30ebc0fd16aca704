/**
 * RAUC's version as `rauc --version` prints it (`rauc 1.13`, `rauc 1.15.2`), for the one fact D-Bus
 * introspection cannot show: whether this RAUC has the fix of CVE-2026-34155 (1.15.2, no interface
 * change). Used for nothing else: features come from introspection (features.ts).
 */

export interface RaucVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** As printed, e.g. `1.13`. */
  readonly text: string;
}

/** The first `N.N[.N]` after the word `rauc` in the output; undefined when there is none. */
export function parseRaucVersion(output: string): RaucVersion | undefined {
  const match = /\brauc\b\D*?(\d+)\.(\d+)(?:\.(\d+))?/i.exec(output);
  if (!match) return undefined;
  const [text, major, minor, patch] = [match[0].replace(/^\D*/, ''), Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  return { major, minor, patch, text };
}

/** RAUC 1.15.2 fixed CVE-2026-34155: before it, a plain bundle over 2 GiB is only partly covered by its signature. */
export const LARGE_PLAIN_FIXED: Readonly<RaucVersion> = Object.freeze({ major: 1, minor: 15, patch: 2, text: '1.15.2' });

export function hasLargePlainFix(version: RaucVersion): boolean {
  const a = [version.major, version.minor, version.patch];
  const b = [LARGE_PLAIN_FIXED.major, LARGE_PLAIN_FIXED.minor, LARGE_PLAIN_FIXED.patch];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
}
