import test from 'ava';
import { compareVersions, parseDotted, parseSemver, type VersionOrder, type VersionScheme } from '../../../../src/agent/policy/version-compare.js';

/** offered, running, expected order of offered relative to running, scheme that decided. */
const CASES: readonly [string, string, VersionOrder, VersionScheme][] = [
  // Semantic versions.
  ['1.2.3', '1.2.3', 'same', 'semver'],
  ['1.2.4', '1.2.3', 'higher', 'semver'],
  ['1.10.0', '1.9.9', 'higher', 'semver'],
  ['2.0.0', '10.0.0', 'lower', 'semver'],
  ['v1.2.3', '1.2.3', 'same', 'semver'],
  ['1.2.3+build.7', '1.2.3+build.8', 'same', 'semver'],
  ['99999999999999999999.0.0', '99999999999999999998.0.0', 'higher', 'semver'],
  // semver.org's precedence example: 1.0.0-alpha < -alpha.1 < -alpha.beta < -beta < -beta.2 < -beta.11 < -rc.1 < 1.0.0.
  ['1.0.0-alpha', '1.0.0-alpha.1', 'lower', 'semver'],
  ['1.0.0-alpha.1', '1.0.0-alpha.beta', 'lower', 'semver'],
  ['1.0.0-alpha.beta', '1.0.0-beta', 'lower', 'semver'],
  ['1.0.0-beta', '1.0.0-beta.2', 'lower', 'semver'],
  ['1.0.0-beta.2', '1.0.0-beta.11', 'lower', 'semver'],
  ['1.0.0-beta.11', '1.0.0-rc.1', 'lower', 'semver'],
  ['1.0.0-rc.1', '1.0.0', 'lower', 'semver'],
  ['1.0.0', '1.0.0-rc.1', 'higher', 'semver'],
  ['1.0.0-rc.1', '0.9.9', 'higher', 'semver'],
  ['1.0.0-1', '1.0.0-a', 'lower', 'semver'],
  // Dotted (RAUC/Yocto style): not semver, compared segment by segment.
  ['2024.05.1', '2024.05.0', 'higher', 'dotted'],
  ['2024.05', '2024.05.1', 'lower', 'dotted'],
  ['2024.10', '2024.9', 'higher', 'dotted'],
  ['1.2-r3', '1.2-r10', 'lower', 'dotted'],
  ['1.2-r3', '1.2-r3', 'same', 'dotted'],
  ['1.2.3', '1.2-r3', 'higher', 'dotted'],
  ['v2.0', '1.9', 'higher', 'dotted'],
  ['v2.0', '2.0', 'same', 'dotted'],
  ['2.0', '2.0.0', 'lower', 'dotted'],
  ['1.0~rc1', '1.0', 'lower', 'dotted'],
  ['1.0', '1.0~rc1', 'higher', 'dotted'],
  ['1.0b', '1.0a', 'higher', 'dotted'],
  ['1.0_01', '1.0_1', 'same', 'dotted'],
  // Mixed: one semver, one dotted → both as dotted (prerelease order then does not apply).
  ['1.2.3', '1.2', 'higher', 'dotted'],
  ['1.2', '1.2.3-rc.1', 'lower', 'dotted'],
  // Unparsable: only same or different.
  ['latest', 'latest', 'same', 'text'],
  ['latest', 'stable', 'different', 'text'],
  ['build 42', '1.0', 'different', 'text'],
  ['1.0', 'release/1.0', 'different', 'text'],
  ['', '1.0', 'different', 'text'],
  [' 1.2.3 ', '1.2.3', 'same', 'semver'],
];

for (const [offered, running, order, scheme] of CASES) {
  test(`${JSON.stringify(offered)} vs running ${JSON.stringify(running)} → ${order} (${scheme})`, (t) => {
    t.deepEqual(compareVersions(offered, running), { order, scheme });
  });
}

test('the comparison is antisymmetric over every ordered case', (t) => {
  const flip: Record<VersionOrder, VersionOrder> = { lower: 'higher', higher: 'lower', same: 'same', different: 'different' };
  for (const [offered, running, order, scheme] of CASES) {
    t.deepEqual(compareVersions(running, offered), { order: flip[order], scheme }, `${running} vs ${offered}`);
  }
});

test('parseSemver: the three numbers and the prerelease, build metadata dropped; leading zeros refused', (t) => {
  t.deepEqual(parseSemver('1.2.3-rc.1+sha.5114f85'), { core: [1n, 2n, 3n], prerelease: ['rc', '1'] });
  t.deepEqual(parseSemver('v0.0.1'), { core: [0n, 0n, 1n], prerelease: [] });
  for (const text of ['1.2', '01.2.3', '1.2.3-01', '1.2.3-', '1.2.3+', 'x1.2.3', '1.2.3.4']) t.is(parseSemver(text), undefined, text);
});

test('parseDotted: digit runs and letter runs; anything else is not a dotted version', (t) => {
  t.deepEqual(parseDotted('2024.05.1'), [2024n, 5n, 1n]);
  t.deepEqual(parseDotted('1.2-r3'), [1n, 2n, 'r', 3n]);
  t.deepEqual(parseDotted('V2.0~beta'), [2n, 0n, '~', 'beta']);
  for (const text of ['latest', 'v', 'vv1', '1.0 beta', '1:2.0', '', '-1']) t.is(parseDotted(text), undefined, text);
});
