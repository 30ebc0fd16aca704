import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { slotsRunning } from '../fakes/rauc/fake-slots.js';
import { AgentHarness, type HarnessOptions } from '../helpers/agent-harness.js';

/**
 * installedBase: the server's last installed action (read-only) against RAUC's booted slot, reported
 * as the target attribute `installed_base` — what the server's record shows after a rollback or an
 * installation from USB.
 */

const content = Buffer.from('bundle bytes '.repeat(2000));
const release = (version: string, part = 'os') => ({
  type: 'forced' as const,
  chunks: [{ part, name: 'rootfs', version, artifacts: [{ filename: `rootfs-${version}.raucb`, content }] }],
});

async function start(t: { teardown(fn: () => Promise<void>): void }, running: string, options: HarnessOptions = {}): Promise<AgentHarness> {
  const h = await AgentHarness.start({ ...options, fakeRauc: { slots: slotsRunning(running), ...options.fakeRauc } });
  t.teardown(() => h.stop());
  return h;
}

const installedBaseRequests = (h: AgentHarness) => h.hb.requests.filter((request) => request.method === 'GET' && request.path.includes('/installedBase/'));
const reported = (h: AgentHarness) => () => h.target.attributes.installed_base !== undefined;

test('a rollback or an installation from USB: the booted slot runs another version than the last installed action; "differs" on the server, a warning in the log', async (t) => {
  const h = await start(t, '1.0');
  const { actionId } = h.target.recordInstalled(release('2.0'));
  await h.runUntil(reported(h));
  t.is(h.target.attributes.installed_base, `differs: rootfs.0 runs 1.0, action ${actionId} installed rootfs 2.0`);
  t.is(h.target.attributes.rauc_bundle_version, '1.0', 'sent with the RAUC attributes');
  t.regex(h.logs.text, new RegExp(`booted slot rootfs\\.0 runs 1\\.0, but the server's last installed action ${actionId} installed rootfs 2\\.0 \\(a rollback, or an installation outside hawkBit\\)`));
  t.true(installedBaseRequests(h).length >= 1, 'the installedBase link was followed');
  t.is(h.target.feedback.length, 0, 'no feedback: a closed action takes none');
});

test('the booted slot runs what the last installed action installed: "matches"; the action is fetched once, not at every poll', async (t) => {
  const h = await start(t, '2.0');
  const { actionId } = h.target.recordInstalled(release('2.0'));
  let asked = false;
  // One run of the agent: once the attribute is there, the server asks for the attributes again.
  await h.runUntil(() => {
    if (!asked && reported(h)()) {
      asked = true;
      h.target.requestAttributes();
      return false;
    }
    return asked && !h.target.attributesRequested;
  });
  t.is(h.target.attributes.installed_base, `matches: rootfs.0 runs rootfs 2.0 of action ${actionId}`);
  t.is(installedBaseRequests(h).length, 1);
  t.notRegex(h.logs.text, /a rollback, or an installation outside hawkBit/);
});

test('a booted slot without a bundle version (factory image) differs from an installed action', async (t) => {
  const h = await start(t, '');
  const { actionId } = h.target.recordInstalled(release('2.0'));
  await h.runUntil(reported(h));
  t.is(h.target.attributes.installed_base, `differs: rootfs.0 runs no bundle version, action ${actionId} installed rootfs 2.0`);
});

test('no installedBase link (a new target): no installed_base attribute', async (t) => {
  const h = await start(t, '1.0');
  await h.runUntil(() => h.target.attributes.rauc_bundle_version !== undefined);
  t.false('installed_base' in h.target.attributes);
  t.is(installedBaseRequests(h).length, 0);
});

test('an installed action with only an application bundle is not compared with the booted slot', async (t) => {
  const h = await start(t, '1.0');
  const { actionId } = h.target.recordInstalled({
    type: 'forced',
    chunks: [
      { part: 'application', name: 'app', version: '5.0', artifacts: [{ filename: 'app.raucb', content }] },
      { part: 'application', name: 'tools', version: '1.1', artifacts: [{ filename: 'tools.raucb', content }] },
    ],
  });
  await h.runUntil(reported(h));
  t.is(h.target.attributes.installed_base, `not compared: action ${actionId} holds no system bundle`);
});

test('after an update installed without a reboot yet: "waiting for the reboot", not a difference', async (t) => {
  const h = await start(t, '1.0', { fakeRauc: { bundle: { version: '2.0' } } });
  const { actionId } = h.target.pushDeployment(release('2.0'));
  const idle = () => existsSync(join(h.config.stateDir, 'state.json')) && JSON.parse(readFileSync(join(h.config.stateDir, 'state.json'), 'utf8')).phase.kind === 'idle';
  await h.runUntil(() => h.target.action(actionId).status !== 'active' && idle() && h.target.attributes.installed_base !== undefined);
  t.is(h.target.action(actionId).status, 'finished');
  t.is(h.target.attributes.installed_base, `waiting for the reboot: action ${actionId} installed rootfs 2.0 in rootfs.1`);
  t.notRegex(h.logs.text, /a rollback, or an installation outside hawkBit/);
});
