import test from 'ava';
import { compareInstalledBase, describeFinding } from '../../../src/agent/installed-base.js';
import type { Chunk, Deployment } from '../../../src/ddi/model.js';

const chunk = (part: string, name: string, version: string, filename = `${name}.raucb`): Chunk => ({
  part,
  name,
  version,
  encrypted: false,
  metadata: [],
  artifacts: [{ filename, size: 1, hashes: { sha1: 'a' }, links: {} }],
});
const installed = (...chunks: Chunk[]): Deployment => ({ id: '17', download: 'forced', update: 'forced', maintenanceWindow: undefined, chunks, actionHistory: undefined });
const booted = (version: string) => ({ kind: 'known' as const, slot: 'rootfs.0', version });

test('same version in the booted slot: matches (versions compared as the update policy does)', (t) => {
  const finding = compareInstalledBase(installed(chunk('os', 'rootfs', '2.0.0+b1')), booted('2.0.0+b2'), undefined);
  t.deepEqual(finding, { kind: 'matches', actionId: '17', bundle: 'rootfs 2.0.0+b1', slot: 'rootfs.0' });
  t.is(describeFinding(finding), 'matches: rootfs.0 runs rootfs 2.0.0+b1 of action 17');
});

test('another version in the booted slot: differs, naming both', (t) => {
  const finding = compareInstalledBase(installed(chunk('os', 'rootfs', '2.0')), booted('1.0'), undefined);
  t.is(describeFinding(finding), 'differs: rootfs.0 runs 1.0, action 17 installed rootfs 2.0');
});

test('only os chunks are compared; an application bundle beside them is not', (t) => {
  const deployment = installed(chunk('application', 'app', '1.0'), chunk('os', 'rootfs', '2.0'));
  t.is(compareInstalledBase(deployment, booted('2.0'), undefined).kind, 'matches');
  t.is(compareInstalledBase(deployment, booted('1.0'), undefined).kind, 'differs');
});

test('the only bundle of an action is compared whatever its module type; files that are not bundles are ignored', (t) => {
  const deployment = installed(chunk('firmware', 'fw', '3.1'), chunk('os', 'notes', '3.1', 'NOTES.txt'));
  t.is(describeFinding(compareInstalledBase(deployment, booted('3.0'), undefined)), 'differs: rootfs.0 runs 3.0, action 17 installed fw 3.1');
});

test('no system bundle, RAUC unreadable: not compared, saying why', (t) => {
  const apps = installed(chunk('application', 'a', '1'), chunk('application', 'b', '1'));
  t.is(describeFinding(compareInstalledBase(apps, booted('1'), undefined)), 'not compared: action 17 holds no system bundle');
  const unreadable = compareInstalledBase(installed(chunk('os', 'rootfs', '2.0')), { kind: 'unreadable', reason: 'RAUC reports no booted slot' }, undefined);
  t.is(describeFinding(unreadable), 'not compared: RAUC reports no booted slot');
});

test('the installed action waits for the reboot in the slot RAUC marked: not a difference', (t) => {
  const pending = { slot: 'rootfs.1', version: '2.0', sha256: undefined, actionId: '17' };
  t.is(describeFinding(compareInstalledBase(installed(chunk('os', 'rootfs', '2.0')), booted('1.0'), pending)), 'waiting for the reboot: action 17 installed rootfs 2.0 in rootfs.1');
  const other = { ...pending, actionId: '16' };
  t.is(compareInstalledBase(installed(chunk('os', 'rootfs', '2.0')), booted('1.0'), other).kind, 'differs', 'a pending install of another action does not count');
});

test('the attribute value stays within the 128 characters hawkBit accepts', (t) => {
  const finding = compareInstalledBase(installed(chunk('os', 'r'.repeat(100), '2.0')), booted('1.0'), undefined);
  const value = describeFinding(finding);
  t.is(value.length, 128);
  t.true(value.startsWith('differs: ') && value.endsWith('...'));
});
