import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { silentLogger } from '../../src/log/index.js';
import { DbusInstaller } from '../../src/rauc/index.js';
import { RAUC_VERSIONS } from '../harness/rauc-environment.js';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

/**
 * An update installed without a reboot yet (post_update_reboot = false): a server that offers the same
 * version again (goosebit re-offers the action while the device's sw_version is unknown; an operator
 * assigns it again) must get "installed, waiting for the reboot", with nothing downloaded or written.
 */

const content = Buffer.from('bundle bytes '.repeat(5000));
const deployment = (bytes = content) => ({
  type: 'forced' as const,
  chunks: [{ part: 'os', name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content: bytes }] }],
});
const artifactRequests = (h: AgentHarness) => h.hb.requests.filter((request) => request.path.includes('/artifacts/')).length;
const installs = (h: AgentHarness) => h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length;
/** The server has the result and the agent is done with the action (the server's record alone may come before the agent saw the answer). */
const over = (h: AgentHarness, actionId: string) => () =>
  h.target.action(actionId).status !== 'active' && existsSync(join(h.config.stateDir, 'state.json')) && JSON.parse(readFileSync(join(h.config.stateDir, 'state.json'), 'utf8')).phase.kind === 'idle';
const lastDetails = (h: AgentHarness, actionId: string) =>
  (h.target.feedback.filter((f) => f.actionId === actionId).at(-1)!.body as { status: { details: string[] } }).status.details;

test('the same action offered again after a restart, before the reboot: closed/success "waiting for the reboot", not downloaded or installed again', async (t) => {
  const h = await AgentHarness.start({ fakeRauc: { bundle: { version: '2.0' } } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment());
  await h.runUntil(over(h, actionId));
  t.is(h.target.action(actionId).status, 'finished');
  t.is(installs(h), 1);
  const downloads = artifactRequests(h);

  // goosebit: the device's sw_version is unknown to it, so it offers the same action again.
  h.target.action(actionId).status = 'active';
  await h.runUntil(over(h, actionId));

  t.is(h.target.action(actionId).status, 'finished');
  t.deepEqual(feedbackChain(h.target, actionId).slice(-1), ['closed/success']);
  t.is(artifactRequests(h), downloads, 'nothing downloaded again');
  t.is(installs(h), 1, 'not installed again');
  const details = lastDetails(h, actionId).join('\n');
  t.regex(details, new RegExp(`^Already installed 2\\.0 in rootfs\\.1 \\(action ${actionId}\\), waiting for the reboot: nothing downloaded or installed`));
  t.regex(details, /Policy: rootfs 2\.0: already installed in rootfs\.1 \(marked for the next boot\) by action \d+, waiting for the reboot \(same_version = skip\); not downloaded/);
});

test('the same version from another bundle (other SHA-256) while the reboot is pending: installed', async (t) => {
  const h = await AgentHarness.start({ fakeRauc: { bundle: { version: '2.0' } } });
  t.teardown(() => h.stop());
  const first = h.target.pushDeployment(deployment()).actionId;
  await h.runUntil(over(h, first));
  const second = h.target.pushDeployment(deployment(Buffer.from('other bundle bytes '.repeat(4000)))).actionId;
  await h.runUntil(over(h, second));
  t.is(h.target.action(second).status, 'finished');
  t.is(installs(h), 2);
  t.regex(JSON.stringify(h.target.feedback.filter((f) => f.actionId === second)), /holds 2\.0 from another bundle \(SHA-256 differs\); not treated as installed/);
});

test('after the reboot into the new slot the same version is "already running" (the pending record no longer applies)', async (t) => {
  const h = await AgentHarness.start({ fakeRauc: { bundle: { version: '2.0' } } });
  t.teardown(() => h.stop());
  const first = h.target.pushDeployment(deployment()).actionId;
  await h.runUntil(over(h, first));
  await h.reboot();
  const second = h.target.pushDeployment(deployment()).actionId;
  await h.runUntil(over(h, second));
  t.is(h.target.action(second).status, 'finished');
  t.regex(lastDetails(h, second)[0]!, /^Already running 2\.0 \(rootfs\.1\)/);
  t.is(installs(h), 1);
});

for (const version of RAUC_VERSIONS) {
  test(`real RAUC ${version}: re-assigned before the reboot, the same bundle is not installed again (installed.count stays 1)`, async (t) => {
    const h = await AgentHarness.start({ rauc: 'real', raucVersion: version });
    t.teardown(() => h.stop());
    const bundle = readFileSync(await h.realRauc!.buildBundle({ version: '2.0' }));
    const installer = new DbusInstaller({ bus: { address: h.realRauc!.busAddress }, log: silentLogger() });
    t.teardown(() => installer.close());
    const first = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs-2.0.raucb', content: bundle }] }] }).actionId;
    await h.runUntil(over(h, first));
    t.is(h.target.action(first).status, 'finished');
    const written = (await installer.slotStatus()).find((slot) => slot.name === 'rootfs.1')!;
    t.is(written.raw['installed.count'], 1);
    const downloads = artifactRequests(h);

    // A restart of the service, then the operator assigns the same distribution set again.
    const second = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs-2.0.raucb', content: bundle }] }] }).actionId;
    await h.runUntil(over(h, second));

    t.is(h.target.action(second).status, 'finished');
    t.deepEqual(feedbackChain(h.target, second), ['closed/success']);
    t.regex(lastDetails(h, second)[0]!, /^Already installed 2\.0 in rootfs\.1 \(action \d+\), waiting for the reboot/);
    t.is(artifactRequests(h), downloads, 'nothing downloaded');
    const after = (await installer.slotStatus()).find((slot) => slot.name === 'rootfs.1')!;
    t.is(after.raw['installed.count'], 1, "RAUC's installed count stays 1");
    t.is(after.raw['installed.timestamp'], written.raw['installed.timestamp']);
    t.is(await installer.primary(), 'rootfs.1');
  });
}

test('the slot waiting for the reboot was marked bad (its boot failed): the same version is installed again', async (t) => {
  const h = await AgentHarness.start({ fakeRauc: { bundle: { version: '2.0' } } });
  t.teardown(() => h.stop());
  const first = h.target.pushDeployment(deployment()).actionId;
  await h.runUntil(over(h, first));
  const installer = new DbusInstaller({ bus: { address: h.fakeRauc!.options.busAddress }, log: silentLogger() });
  t.teardown(() => installer.close());
  await installer.mark('bad', 'rootfs.1');
  const second = h.target.pushDeployment(deployment()).actionId;
  await h.runUntil(over(h, second));
  t.is(h.target.action(second).status, 'finished');
  t.is(installs(h), 2);
});
