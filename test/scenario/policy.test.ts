import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { silentLogger } from '../../src/log/index.js';
import { DbusInstaller } from '../../src/rauc/index.js';
import { slotsRunning } from '../fakes/rauc/fake-slots.js';
import { RAUC_VERSIONS } from '../harness/rauc-environment.js';
import { AgentHarness, feedbackChain, type HarnessOptions } from '../helpers/agent-harness.js';

const content = Buffer.from('bundle bytes '.repeat(5000));
const deployment = (version: string, filename = 'u.raucb', bytes = content) => ({
  type: 'forced' as const,
  chunks: [{ part: 'os', name: 'rootfs', version, artifacts: [{ filename, content: bytes }] }],
});


async function start(t: { teardown(fn: () => Promise<void>): void }, running: string, options: HarnessOptions = {}): Promise<AgentHarness> {
  const h = await AgentHarness.start({ ...options, fakeRauc: { slots: slotsRunning(running), ...options.fakeRauc } });
  t.teardown(() => h.stop());
  return h;
}

const artifactRequests = (h: AgentHarness) => h.hb.requests.filter((request) => request.path.includes('/artifacts/'));
const raucCalls = (h: AgentHarness, method: string) => h.fakeRauc!.calls.filter((call) => call.method === method).length;
const finalStatus = (h: AgentHarness) => (h.target.feedback.at(-1)!.body as { status: { execution: string; code?: number; details: string[] } }).status;
const allDetails = (h: AgentHarness, actionId: string) => h.target.feedback.filter((f) => f.actionId === actionId).flatMap((f) => (f.body as { status: { details: string[] } }).status.details);

test('same version: closed/success "already running" without downloading or installing anything', async (t) => {
  const h = await start(t, '2.0');
  const { actionId } = h.target.pushDeployment(deployment('2.0'));
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.deepEqual(feedbackChain(h.target, actionId), ['closed/success']);
  t.deepEqual(artifactRequests(h), [], 'no artifact download request');
  t.is(raucCalls(h, 'InstallBundle') + raucCalls(h, 'Info'), 0);
  const details = finalStatus(h).details.join('\n');
  t.regex(details, /^Already running 2\.0 \(rootfs\.0\)/);
  t.regex(details, /same_version = skip/);
  t.regex(h.logs.text, /update policy: rootfs 2\.0: already running 2\.0 in rootfs\.0/);
});

test('multi-chunk: the same-version os bundle is left out, the application bundle is downloaded and installed', async (t) => {
  const h = await start(t, '2.0', { fakeRauc: { bundle: { version: '5.0' } } });
  const { actionId } = h.target.pushDeployment({
    type: 'forced',
    chunks: [
      { part: 'os', name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs.raucb', content }] },
      { part: 'application', name: 'app', version: '5.0', artifacts: [{ filename: 'app.raucb', content }] },
    ],
  });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.deepEqual(artifactRequests(h).map((request) => request.path.split('/').at(-1)), ['app.raucb']);
  const installs = h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle');
  t.is(installs.length, 1);
  t.regex(installs[0]!.source!, /app\.raucb$/);
  const details = allDetails(h, actionId).join('\n');
  t.regex(details, /Policy: rootfs 2\.0: already running 2\.0 in rootfs\.0 \(same_version = skip\); not downloaded/);
  t.regex(details, /Policy: app 5\.0: module type 'application' is not compared with the booted slot; installing/);
});

test('same version with same_version = install: downloaded and installed again, the reason on record', async (t) => {
  const h = await start(t, '2.0', { client: { same_version: 'install' }, fakeRauc: { bundle: { version: '2.0' } } });
  const { actionId } = h.target.pushDeployment(deployment('2.0'));
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.is(raucCalls(h, 'InstallBundle'), 1);
  t.regex(allDetails(h, actionId).join('\n'), /Policy: rootfs 2\.0: the same version as 2\.0 running in rootfs\.0; installing again \(same_version = install\)/);
});

test('downgrade with allow_downgrade = false: refused before the download with code 3004', async (t) => {
  const h = await start(t, '2.1.0', { client: { allow_downgrade: 'false' } });
  const { actionId } = h.target.pushDeployment(deployment('2.0.5'));
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  t.deepEqual(feedbackChain(h.target, actionId), ['closed/failure']);
  t.deepEqual(artifactRequests(h), []);
  t.is(raucCalls(h, 'InstallBundle'), 0);
  const status = finalStatus(h);
  t.is(status.code, 3004);
  t.is(status.details[0], 'Downgrade refused: rootfs 2.0.5 is older than 2.1.0 running in rootfs.0 (semver order) and allow_downgrade = false');
});

test('downgrade by default: allowed, installed, and the decision reaches hawkBit', async (t) => {
  const h = await start(t, '2.1.0', { fakeRauc: { bundle: { version: '2.0.5' } } });
  const { actionId } = h.target.pushDeployment(deployment('2.0.5'));
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.is(raucCalls(h, 'InstallBundle'), 1);
  const download = h.target.feedback.find((f) => f.actionId === actionId && JSON.stringify(f.body).includes('"download"'));
  t.regex(JSON.stringify(download?.body), /Policy: rootfs 2\.0\.5: older than 2\.1\.0 running in rootfs\.0 \(semver order\); a downgrade, allowed \(allow_downgrade = true\)/);
  t.regex(JSON.stringify(download?.body), /enough free space/);
  t.regex(allDetails(h, actionId).join('\n'), /Policy: u\.raucb: compatible 'Test Device' and version 2\.0\.5 as expected; installing/);
});

test('a bundle whose manifest version differs from the offered version is installed with a warning', async (t) => {
  const h = await start(t, '1.0', { fakeRauc: { bundle: { version: '1.9' } } });
  const { actionId } = h.target.pushDeployment(deployment('2.0'));
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  const infos = h.fakeRauc!.calls.filter((call) => call.method === 'Info');
  const installIndex = h.fakeRauc!.calls.findIndex((call) => call.method === 'InstallBundle');
  t.is(infos.length, 1);
  t.true(h.fakeRauc!.calls.indexOf(infos[0]!) < installIndex, 'Info before InstallBundle');
  t.regex(allDetails(h, actionId).join('\n'), /Policy warning: u\.raucb: the bundle's manifest says version 1\.9, but the server offers rootfs 2\.0; installing anyway/);
});

test('RAUC unreadable before the download: the version check is skipped with a warning, not a refusal', async (t) => {
  const h = await start(t, '2.0', { client: { allow_downgrade: 'false' }, fakeRauc: { bundle: { version: '1.0' } } });
  // RAUC is busy (another client installs): it refuses GetSlotStatus, and is idle again right after
  // that refusal went out, long before the download ends.
  h.fakeRauc!.operation = 'installing';
  h.fakeRauc!.configure({ onCall: (call) => {
    if (call.method === 'GetSlotStatus') setImmediate(() => (h.fakeRauc!.operation = 'idle'));
  } });
  const { actionId } = h.target.pushDeployment(deployment('1.0'));
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.regex(allDetails(h, actionId).join('\n'), /Policy warning: Version check skipped: RAUC's slot status could not be read \(.*\); installing rootfs 1\.0/);
  t.regex(h.logs.text, /update policy: Version check skipped/);
});

test('not enough space where bundles go: refused before any download request, with code 1003 and both numbers', async (t) => {
  const h = await start(t, '1.0');
  const downloads = join(h.dir, 'downloads');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'hr-policy-test', downloads], { stdio: 'pipe' });
  } catch (error) {
    t.fail(`cannot mount a 1 MiB tmpfs on ${downloads} (this test needs root): ${(error as Error).message}`);
    return;
  }
  t.teardown(async () => {
    execFileSync('umount', [downloads], { stdio: 'pipe' });
  });
  const { actionId } = h.target.pushDeployment(deployment('2.0', 'big.raucb', Buffer.alloc(3 * 1024 * 1024, 7)));
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  t.deepEqual(feedbackChain(h.target, actionId), ['closed/failure']);
  t.deepEqual(artifactRequests(h), [], 'no artifact request');
  const status = finalStatus(h);
  t.is(status.code, 1003);
  t.regex(status.details[0]!, new RegExp(`^Not enough space in ${downloads}: 3\\.0 MiB \\(3145728 bytes\\) required, \\d+(\\.\\d)? [KM]?i?B \\(\\d+ bytes\\) available; nothing downloaded$`));
  t.regex(status.details.join('\n'), /Policy: rootfs 2\.0: newer than 1\.0 running in rootfs\.0/);
});

for (const version of RAUC_VERSIONS) {
  test(`real RAUC ${version}: a bundle for another compatible is refused before InstallBundle, naming both compatibles`, async (t) => {
    const h = await AgentHarness.start({ rauc: 'real', raucVersion: version });
    t.teardown(() => h.stop());
    const installer = new DbusInstaller({ bus: { address: h.realRauc!.busAddress }, log: silentLogger() });
    t.teardown(() => installer.close());
    const slotsBefore = await installer.slotStatus();
    const bundlePath = await h.realRauc!.buildBundle({ version: '2.0', compatible: 'Other Device' });
    const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'other.raucb', content: readFileSync(bundlePath) }] }] });

    await h.driveToEnd(actionId);

    t.is(h.target.action(actionId).status, 'error');
    const status = finalStatus(h);
    t.is(status.code, 2003, JSON.stringify(status));
    t.is(status.details[0], "Incompatible bundle, not installed: other.raucb (rootfs 2.0) is for 'Other Device', but this device is 'Test Device' (RAUC's compatible)");
    t.deepEqual(await installer.slotStatus(), slotsBefore, 'RAUC installed nothing: slot status unchanged');
    t.is((await installer.properties()).lastError, '', 'RAUC never failed an install');
    t.false(h.realRauc!.serviceLog.includes('Compatible mismatch'), 'RAUC never got to check the bundle for an install');
    t.true(artifactRequests(h).length > 0, 'the bundle was downloaded first (RAUC Info needs it local)');
  });
}
