/**
 * Orders two version strings the way the update policy needs: as semantic versions when both parse as
 * one, else as RAUC/Yocto-style dotted versions, else not at all (only "same or different").
 * Pure functions; no guessing: an unparsable pair is never called older or newer.
 */

/** How `offered` relates to `running`. `different`: unordered (a pair that neither scheme parses). */
export type VersionOrder = 'lower' | 'same' | 'higher' | 'different';

/** Which rule decided: `semver` (semver.org 2.0.0), `dotted` (segment by segment) or `text` (equality only). */
export type VersionScheme = 'semver' | 'dotted' | 'text';

export interface VersionComparison {
  readonly order: VersionOrder;
  readonly scheme: VersionScheme;
}

interface Semver {
  readonly core: readonly [bigint, bigint, bigint];
  readonly prerelease: readonly string[];
}

// semver.org's grammar (no leading zeros in numbers), with an optional leading `v` as in git tags.
const NUMBER = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUMBER}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const BUILD_ID = '[0-9a-zA-Z-]+';
const SEMVER = new RegExp(`^v?(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`);

/** A semantic version (build metadata dropped), or undefined. */
export function parseSemver(text: string): Semver | undefined {
  const match = SEMVER.exec(text);
  if (!match) return undefined;
  return {
    core: [BigInt(match[1]!), BigInt(match[2]!), BigInt(match[3]!)],
    prerelease: match[4] === undefined ? [] : match[4].split('.'),
  };
}

/** Dotted versions: a digit first (after an optional `v`), then digits, letters and `.` `-` `_` `+` `~`. */
const DOTTED = /^v?\d[0-9A-Za-z._+~-]*$/i;

/**
 * The segments of a dotted version (`2024.05.1` → 2024, 5, 1; `1.2-r3` → 1, 2, r, 3), or undefined.
 * Runs of digits and runs of letters are segments; `.` `-` `_` `+` only separate; `~` is kept as a
 * segment of its own (Debian/RPM: sorts before everything, so `1.0~rc1` < `1.0`).
 */
export function parseDotted(text: string): readonly (bigint | string)[] | undefined {
  if (!DOTTED.test(text)) return undefined;
  const body = /^v\d/i.test(text) ? text.slice(1) : text;
  return (body.match(/\d+|[A-Za-z]+|~/g) ?? []).map((segment) => (/^\d/.test(segment) ? BigInt(segment) : segment));
}

/** Compares what the server offers with what is running (surrounding whitespace ignored). */
export function compareVersions(offeredText: string, runningText: string): VersionComparison {
  const offered = offeredText.trim();
  const running = runningText.trim();
  const a = parseSemver(offered);
  const b = parseSemver(running);
  if (a && b) return { order: orderOf(compareSemver(a, b)), scheme: 'semver' };
  const x = parseDotted(offered);
  const y = parseDotted(running);
  if (x && y) return { order: orderOf(compareDotted(x, y)), scheme: 'dotted' };
  return { order: offered === running ? 'same' : 'different', scheme: 'text' };
}

function orderOf(sign: number): VersionOrder {
  return sign < 0 ? 'lower' : sign > 0 ? 'higher' : 'same';
}

function compareSemver(a: Semver, b: Semver): number {
  for (let i = 0; i < 3; i++) {
    const sign = compareBigints(a.core[i]!, b.core[i]!);
    if (sign !== 0) return sign;
  }
  // A version with a prerelease is lower than the same version without one.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  const length = Math.max(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < length; i++) {
    const left = a.prerelease[i];
    const right = b.prerelease[i];
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    const sign = comparePrereleaseIds(left, right);
    if (sign !== 0) return sign;
  }
  return 0;
}

/** Numeric identifiers compare as numbers and sort before alphanumeric ones, which compare in ASCII order. */
function comparePrereleaseIds(left: string, right: string): number {
  const leftNumeric = /^\d+$/.test(left);
  const rightNumeric = /^\d+$/.test(right);
  if (leftNumeric && rightNumeric) return compareBigints(BigInt(left), BigInt(right));
  if (leftNumeric !== rightNumeric) return leftNumeric ? -1 : 1;
  return compareAscii(left, right);
}

/**
 * Segment by segment: numbers as numbers, letters in ASCII order, a number above letters (`1.2.3` >
 * `1.2-r3`), `~` below anything; when one runs out, the longer is higher (`1.2` < `1.2.1`) unless
 * its next segment is `~`.
 */
function compareDotted(a: readonly (bigint | string)[], b: readonly (bigint | string)[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const left = a[i];
    const right = b[i];
    if (left === right) continue;
    if (left === '~') return -1;
    if (right === '~') return 1;
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    if (typeof left === 'bigint' && typeof right === 'bigint') return compareBigints(left, right);
    if (typeof left !== typeof right) return typeof left === 'bigint' ? 1 : -1;
    return compareAscii(left as string, right as string);
  }
  return 0;
}

function compareBigints(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
