import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

const content = Buffer.from('bundle bytes '.repeat(5000));
const chunk = (version = '2.0', filename = 'u.raucb') => ({ name: 'rootfs', version, artifacts: [{ filename, content }] });
const installs = (h: AgentHarness) => h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length;

test('download-only: downloaded/success closes the action, the file is kept, nothing installed', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'downloadonly', chunks: [{ name: 'data', version: '1', artifacts: [{ filename: 'data.tar', content }] }] });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.is(feedbackChain(h.target, actionId).at(-1), 'downloaded/success');
  t.is(installs(h), 0);
  t.deepEqual(readFileSync(join(h.dir, 'downloads', 'data.tar')), content);
});

test('maintenance window: download now, wait (scheduled), install once the window opens', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', maintenanceWindow: 'unavailable', chunks: [chunk()] });
  await h.runUntil(() => feedbackChain(h.target, actionId).includes('scheduled/none'));
  t.is(installs(h), 0);
  t.true(existsSync(join(h.dir, 'downloads', 'u.raucb')), 'downloaded and kept while waiting');
  t.regex(JSON.stringify(h.target.feedback.at(-1)!.body), /maintenance window/);
  h.target.setMaintenanceWindow(actionId, 'available');
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.is(installs(h), 1);
  const chain = feedbackChain(h.target, actionId);
  t.true(chain.includes('download/none'));
  t.is(chain.filter((entry) => entry === 'scheduled/none').length, 1, 'the wait is reported once');
  t.true(chain.includes('resumed/none'), 'the second run resumed the persisted action');
});

test('soft update: the local gate says no, then yes', async (t) => {
  const gateFlag = join(mkdtempSync(join(tmpdir(), 'hr-gate-')), 'open');
  const h = await AgentHarness.start({ client: { update_gate_command: `sh -c 'echo "stage=$HAWKBIT_STAGE"; test -e ${gateFlag}'` } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'soft', chunks: [chunk()] });
  await h.runUntil(() => feedbackChain(h.target, actionId).includes('scheduled/none'));
  t.is(installs(h), 0);
  t.false(h.target.feedback.some((f) => JSON.stringify(f.body).includes('download/')), 'nothing downloaded while the gate is closed');
  t.regex(JSON.stringify(h.target.feedback.at(-1)!.body), /local update gate refused the download \(exit code 1\): stage=download/);
  writeFileSync(gateFlag, '');
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.is(installs(h), 1);
});

test('forced update skips the gate', async (t) => {
  const h = await AgentHarness.start({ client: { update_gate_command: 'false' } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [chunk()] });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
});

test('multi-chunk: every bundle downloaded, verified and installed in chunk order', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({
    type: 'forced',
    chunks: [
      { part: 'os', name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs.raucb', content }] },
      { part: 'bApp', name: 'app', version: '5.1', artifacts: [{ filename: 'app.raucb', content: Buffer.from('app bundle') }] },
    ],
  });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  const sources = h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').map((call) => call.source!.split('/').at(-1));
  t.deepEqual(sources, ['rootfs.raucb', 'app.raucb']);
});

test('non_bundle_artifacts = skip: each bundle installed in chunk order, each other file named and never downloaded', async (t) => {
  const h = await AgentHarness.start({ client: { non_bundle_artifacts: 'skip' } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({
    type: 'forced',
    chunks: [
      { name: 'rootfs', version: '2', artifacts: [{ filename: 'rootfs.raucb', content }, { filename: 'rootfs.raucb.sig', content: Buffer.from('signature') }] },
      { part: 'bApp', name: 'app', version: '5.1', artifacts: [{ filename: 'NOTES.txt', content: Buffer.from('notes') }, { filename: 'app.raucb', content: Buffer.from('app bundle') }] },
    ],
  });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  const sources = h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').map((call) => call.source!.split('/').at(-1));
  t.deepEqual(sources, ['rootfs.raucb', 'app.raucb']);
  const fetched = h.hb.requests.filter((request) => request.path.includes('/artifacts/')).map((request) => request.path.split('/').at(-1));
  t.deepEqual([...new Set(fetched)], ['rootfs.raucb', 'app.raucb'], 'the other files are never requested');
  const line = "Not a RAUC bundle, skipped (non_bundle_artifacts = skip): 'rootfs.raucb.sig' of 'rootfs' 2, 'NOTES.txt' of 'app' 5.1";
  const statuses = h.target.feedback.filter((f) => f.actionId === actionId).map((f) => (f.body as { status: { execution: string; details: string[] } }).status);
  t.true(statuses.find((s) => s.execution === 'download')!.details.includes(line), 'named in the first download feedback');
  t.true(statuses.find((s) => s.execution === 'proceeding')!.details.includes(line), 'named when the installation starts');
  t.true(h.target.action(actionId).messages.includes(line), "the server's action history holds the line");
});

const NOT_BUNDLES: [string, Record<string, string>, RegExp][] = [
  ['an artifact that is not a RAUC bundle fails the action with a clear message', {}, /'rootfs\.ext4' of 'rootfs' 2 is not a RAUC bundle .*or set non_bundle_artifacts = skip/],
  [
    'non_bundle_artifacts = skip: an action with only other files still fails',
    { non_bundle_artifacts: 'skip' },
    /no RAUC bundle \(\*\.raucb\) to install, only other files \('rootfs\.ext4' of 'rootfs' 2\)/,
  ],
];

for (const [name, client, message] of NOT_BUNDLES) {
  test(`${name} (1004), nothing downloaded or installed`, async (t) => {
    const h = await AgentHarness.start({ client });
    t.teardown(() => h.stop());
    const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2', artifacts: [{ filename: 'rootfs.ext4', content }] }] });
    await h.runUntil(() => h.target.action(actionId).status !== 'active');
    t.is(h.target.action(actionId).status, 'error');
    const body = h.target.feedback.at(-1)!.body as { status: { code: number; details: string[] } };
    t.is(body.status.code, 1004);
    t.regex(body.status.details[0]!, message);
    t.false(h.hb.requests.some((request) => request.path.includes('/artifacts/')));
    t.is(h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length, 0);
  });
}

test('streaming: RAUC gets the URL with the Authorization header; nothing is stored', async (t) => {
  const h = await AgentHarness.start({ client: { stream_bundle: 'true', bundle_download_location: null } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [chunk()] });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  const install = h.fakeRauc!.calls.find((call) => call.method === 'InstallBundle')!;
  t.regex(install.source!, /^http:\/\/127\.0\.0\.1:\d+\/.*\/artifacts\/u\.raucb$/);
  t.deepEqual(install.args?.['http-headers'], ['Authorization: TargetToken scenario-target-token-5f3a']);
  t.is(install.received?.size, content.length, 'RAUC could fetch the bundle with those headers');
});

test('a downloaded bundle that vanished while waiting is downloaded again before the install', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', maintenanceWindow: 'unavailable', chunks: [chunk()] });
  await h.runUntil(() => feedbackChain(h.target, actionId).includes('scheduled/none'));
  rmSync(join(h.dir, 'downloads', 'u.raucb'));
  h.target.setMaintenanceWindow(actionId, 'available');
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.is(installs(h), 1);
  t.is(h.hb.requests.filter((request) => request.path.endsWith('/artifacts/u.raucb')).length, 2);
  t.regex(h.logs.text, /downloaded files of action \d+ are gone; downloading again/);
});
