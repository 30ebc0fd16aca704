import test from 'ava';
import {
  decideBeforeDownload,
  decideBeforeInstall,
  decideSpace,
  type DownloadDecision,
  type OfferedBundle,
  type PendingReboot,
  type PolicySettings,
  type RunningSystem,
} from '../../../../src/agent/policy/decide.js';
import { STATUS_CODES } from '../../../../src/ddi/index.js';

const os = (version: string, chunk = 'rootfs'): OfferedBundle => ({ chunk, part: 'os', version, filename: `${chunk}-${version}.raucb` });
const app = (version: string): OfferedBundle => ({ chunk: 'app', part: 'application', version, filename: `app-${version}.raucb` });
const running = (version: string): RunningSystem => ({ kind: 'known', slot: 'rootfs.0', version });
const PENDING: PendingReboot = { slot: 'rootfs.1', version: '2.0', sha256: 'a'.repeat(64), actionId: '17' };
const hashed = (bundle: OfferedBundle, sha256: string): OfferedBundle => ({ ...bundle, sha256 });
const DEFAULTS: PolicySettings = { sameVersion: 'skip', allowDowngrade: true };
const STRICT: PolicySettings = { sameVersion: 'skip', allowDowngrade: false };
const REINSTALL: PolicySettings = { sameVersion: 'install', allowDowngrade: true };

interface Row {
  readonly offered: readonly OfferedBundle[];
  readonly running: RunningSystem;
  readonly settings: PolicySettings;
  readonly verdict: DownloadDecision['verdict'];
  /** Files still to fetch when proceeding. */
  readonly install?: readonly string[];
  readonly code?: number;
  /** Must appear in the summary (skip, refuse) or the record. */
  readonly says: RegExp;
  readonly warning?: boolean;
  /** An installation waiting for the reboot. */
  readonly pending?: PendingReboot;
}

/** The decision table of docs/lifecycle.md ("Update policy"), before the download. */
const ROWS: readonly Row[] = [
  { offered: [os('2.0')], running: running('1.0'), settings: DEFAULTS, verdict: 'proceed', install: ['rootfs-2.0.raucb'], says: /rootfs 2\.0: newer than 1\.0 running in rootfs\.0 \(dotted order\); installing/ },
  { offered: [os('2.0.0')], running: running('2.0.0'), settings: DEFAULTS, verdict: 'skip', says: /^Already running 2\.0\.0 \(rootfs\.0\)/ },
  { offered: [os('2.0.0')], running: running('2.0.0'), settings: REINSTALL, verdict: 'proceed', install: ['rootfs-2.0.0.raucb'], says: /installing again \(same_version = install\)/ },
  { offered: [os('1.0.0')], running: running('2.0.0'), settings: DEFAULTS, verdict: 'proceed', install: ['rootfs-1.0.0.raucb'], says: /older than 2\.0\.0 .*semver order.*allowed \(allow_downgrade = true\)/ },
  { offered: [os('1.0.0')], running: running('2.0.0'), settings: STRICT, verdict: 'refuse', code: STATUS_CODES.DOWNGRADE_REFUSED, says: /^Downgrade refused: rootfs 1\.0\.0 is older than 2\.0\.0 running in rootfs\.0 \(semver order\) and allow_downgrade = false$/ },
  { offered: [os('2.0.0-rc.1')], running: running('2.0.0'), settings: STRICT, verdict: 'refuse', code: STATUS_CODES.DOWNGRADE_REFUSED, says: /2\.0\.0-rc\.1 is older than 2\.0\.0/ },
  { offered: [os('2.0.0')], running: running('2.0.0-rc.1'), settings: STRICT, verdict: 'proceed', install: ['rootfs-2.0.0.raucb'], says: /newer than 2\.0\.0-rc\.1/ },
  { offered: [os('stable')], running: running('testing'), settings: STRICT, verdict: 'proceed', install: ['rootfs-stable.raucb'], says: /cannot be ordered, so this is not treated as a downgrade/, warning: true },
  { offered: [os('stable')], running: running('stable'), settings: DEFAULTS, verdict: 'skip', says: /^Already running stable/ },
  { offered: [os('1.0')], running: { kind: 'unversioned', slot: 'rootfs.0' }, settings: STRICT, verdict: 'proceed', install: ['rootfs-1.0.raucb'], says: /booted slot rootfs\.0 reports no bundle version/ },
  { offered: [os('1.0')], running: { kind: 'unreadable', reason: "RAUC's slot status could not be read (no RAUC)" }, settings: STRICT, verdict: 'proceed', install: ['rootfs-1.0.raucb'], says: /Version check skipped: RAUC's slot status could not be read \(no RAUC\)/, warning: true },
  // Multi-chunk: only the os chunk is compared; the rest is installed.
  { offered: [os('2.0'), app('5.0')], running: running('2.0'), settings: DEFAULTS, verdict: 'proceed', install: ['app-5.0.raucb'], says: /rootfs 2\.0: already running 2\.0 in rootfs\.0 \(same_version = skip\); not downloaded/ },
  { offered: [os('1.0'), app('5.0')], running: running('2.0'), settings: STRICT, verdict: 'refuse', code: STATUS_CODES.DOWNGRADE_REFUSED, says: /rootfs 1\.0 is older than 2\.0/ },
  { offered: [os('3.0'), app('1.0')], running: running('2.0'), settings: STRICT, verdict: 'proceed', install: ['rootfs-3.0.raucb', 'app-1.0.raucb'], says: /app 1\.0: module type 'application' is not compared with the booted slot; installing/ },
  { offered: [app('2.0'), app('3.0')], running: running('2.0'), settings: DEFAULTS, verdict: 'proceed', install: ['app-2.0.raucb', 'app-3.0.raucb'], says: /not compared/ },
  // A single bundle is the system bundle whatever its module type.
  { offered: [app('2.0')], running: running('2.0'), settings: DEFAULTS, verdict: 'skip', says: /^Already running 2\.0/ },
  { offered: [os('2.0', 'rootfs'), os('2.0', 'bootloader')], running: running('2.0'), settings: DEFAULTS, verdict: 'skip', says: /nothing downloaded or installed/ },
  // Installed by this agent into the slot marked for the next boot, waiting for the reboot.
  { offered: [os('2.0')], running: running('1.0'), pending: PENDING, settings: DEFAULTS, verdict: 'skip', says: /^Already installed 2\.0 in rootfs\.1 \(action 17\), waiting for the reboot: nothing downloaded or installed$/ },
  { offered: [os('2.0')], running: { kind: 'unversioned', slot: 'rootfs.0' }, pending: PENDING, settings: DEFAULTS, verdict: 'skip', says: /rootfs 2\.0: already installed in rootfs\.1 \(marked for the next boot\) by action 17, waiting for the reboot \(same_version = skip\); not downloaded/ },
  { offered: [hashed(os('2.0'), 'a'.repeat(64))], running: { kind: 'unreadable', reason: 'busy' }, pending: PENDING, settings: STRICT, verdict: 'skip', says: /^Already installed 2\.0 in rootfs\.1/ },
  { offered: [hashed(os('2.0'), 'b'.repeat(64))], running: running('1.0'), pending: PENDING, settings: DEFAULTS, verdict: 'proceed', install: ['rootfs-2.0.raucb'], says: /rootfs\.1 \(marked for the next boot\) holds 2\.0 from another bundle \(SHA-256 differs\); not treated as installed/ },
  { offered: [os('2.0')], running: running('1.0'), pending: PENDING, settings: REINSTALL, verdict: 'proceed', install: ['rootfs-2.0.raucb'], says: /already installed in rootfs\.1 \(marked for the next boot\), waiting for the reboot; installing again \(same_version = install\)/ },
  { offered: [os('3.0')], running: running('1.0'), pending: PENDING, settings: DEFAULTS, verdict: 'proceed', install: ['rootfs-3.0.raucb'], says: /newer than 1\.0 running in rootfs\.0/ },
  { offered: [os('2.0'), app('5.0')], running: running('1.0'), pending: PENDING, settings: DEFAULTS, verdict: 'proceed', install: ['app-5.0.raucb'], says: /app 5\.0: module type 'application' is not compared/ },
];

for (const [index, row] of ROWS.entries()) {
  const what = row.offered.map((bundle) => `${bundle.part}:${bundle.version}`).join('+');
  const against = row.running.kind === 'known' ? row.running.version : row.running.kind;
  test(`before download #${index + 1}: ${what} vs ${against}${row.pending ? ` (${row.pending.version} waiting for the reboot)` : ''} (same_version=${row.settings.sameVersion}, allow_downgrade=${row.settings.allowDowngrade}) → ${row.verdict}`, (t) => {
    const decision = decideBeforeDownload(row.offered, row.running, row.settings, row.pending);
    t.is(decision.verdict, row.verdict);
    const texts = [...(decision.verdict === 'proceed' ? [] : [decision.summary]), ...decision.record.map((line) => line.text)];
    t.true(texts.some((text) => row.says.test(text)), texts.join('\n'));
    if (decision.verdict === 'refuse') t.is(decision.code, row.code ?? -1);
    if (decision.verdict === 'proceed') t.deepEqual(decision.install.map((bundle) => bundle.filename), row.install);
    t.is(decision.record.some((line) => line.warning), row.warning ?? false);
    // Every bundle of a proceeding or skipped action is accounted for in the record.
    if (decision.verdict !== 'refuse') t.true(decision.record.length >= 1);
  });
}

test('space: enough is recorded, too little refuses with both numbers and the space code, streaming is not checked', (t) => {
  const proceed = decideBeforeDownload([os('2.0')], running('1.0'), DEFAULTS);
  const enough = decideSpace(proceed, { kind: 'enough', required: 3 * 1024 * 1024, directory: '/data' });
  t.is(enough.verdict, 'proceed');
  t.regex(enough.record.at(-1)!.text, /3\.0 MiB \(3145728 bytes\) to download into \/data: enough free space/);
  const short = decideSpace(proceed, { kind: 'short', required: 3 * 1024 * 1024, available: 1024, directory: '/data' });
  t.like(short, { verdict: 'refuse', code: STATUS_CODES.INSUFFICIENT_SPACE });
  t.is(short.verdict === 'refuse' ? short.summary : '', 'Not enough space in /data: 3.0 MiB (3145728 bytes) required, 1.0 KiB (1024 bytes) available; nothing downloaded');
  t.deepEqual(short.record, proceed.record, 'the version decision stays on record');
  t.regex(decideSpace(proceed, { kind: 'streamed' }).record.at(-1)!.text, /not checked: stream_bundle/);
  const skip = decideBeforeDownload([os('2.0')], running('2.0'), DEFAULTS);
  t.is(decideSpace(skip, { kind: 'short', required: 10, available: 0, directory: '/data' }), skip, 'a skip needs no space');
});

const bundle = { chunk: 'rootfs', version: '2.0', filename: 'rootfs.raucb' };
const device = { kind: 'known', compatible: 'Test Device' } as const;

test('before install: matching compatible and version proceed, with the decision on record', (t) => {
  const decision = decideBeforeInstall([{ ...bundle, inspection: { kind: 'info', compatible: 'Test Device', version: '2.0' } }], device);
  t.is(decision.verdict, 'proceed');
  t.deepEqual(decision.record, [{ warning: false, text: "rootfs.raucb: compatible 'Test Device' and version 2.0 as expected; installing" }]);
});

test('before install: another compatible refuses, naming both strings, with the incompatible-bundle code', (t) => {
  const decision = decideBeforeInstall([{ ...bundle, inspection: { kind: 'info', compatible: 'Other Device', version: '2.0' } }], device);
  t.like(decision, { verdict: 'refuse', code: STATUS_CODES.INCOMPATIBLE_BUNDLE });
  t.is(
    decision.verdict === 'refuse' ? decision.summary : '',
    "Incompatible bundle, not installed: rootfs.raucb (rootfs 2.0) is for 'Other Device', but this device is 'Test Device' (RAUC's compatible)",
  );
});

test('before install: a bundle version other than the chunk version only warns', (t) => {
  const decision = decideBeforeInstall([{ ...bundle, inspection: { kind: 'info', compatible: 'Test Device', version: '1.9' } }], device);
  t.is(decision.verdict, 'proceed');
  t.deepEqual(decision.record, [{ warning: true, text: "rootfs.raucb: the bundle's manifest says version 1.9, but the server offers rootfs 2.0; installing anyway" }]);
});

test('before install: what RAUC cannot tell is a warning, never a refusal', (t) => {
  const unreadable = decideBeforeInstall([{ ...bundle, inspection: { kind: 'unreadable', reason: 'signature invalid' } }], device);
  t.is(unreadable.verdict, 'proceed');
  t.true(unreadable.record[0]!.warning);
  t.regex(unreadable.record[0]!.text, /could not inspect the bundle \(signature invalid\)/);
  const noDevice = decideBeforeInstall([], { kind: 'unreadable', reason: 'RAUC is not running' });
  t.is(noDevice.verdict, 'proceed');
  t.regex(noDevice.record[0]!.text, /Compatible check skipped: RAUC's compatible could not be read \(RAUC is not running\)/);
});
