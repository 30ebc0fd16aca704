import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import test from 'ava';
import { FakeHawkbit } from '../fakes/hawkbit/index.js';
import { AgentHarness, feedbackChain, TOKEN } from '../helpers/agent-harness.js';

const content = Buffer.from('bundle bytes '.repeat(5000));
const deployment = { type: 'forced' as const, chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content }] }] };
const installs = (h: AgentHarness) => h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length;

function finalStatus(h: AgentHarness) {
  return (h.target.feedback.at(-1)!.body as { status: { execution: string; code?: number; details: string[] } }).status;
}

test('hash mismatch: re-downloaded once, then failure with the checksum code; nothing installed', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({
    type: 'forced',
    chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content, servedContent: Buffer.from(content).fill(65, 0, 10) }] }],
  });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  t.is(installs(h), 0);
  const status = finalStatus(h);
  t.is(status.code, 1002);
  t.regex(status.details.join(' '), /md5|sha/i);
  const downloads = h.hb.requests.filter((request) => request.path.endsWith('/artifacts/u.raucb')).length;
  t.true(downloads >= 2, `downloaded once more after the mismatch (${downloads})`);
});

test('a one-off corrupted download is fetched again and installed', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  h.hb.corruptNextDownloads(1);
  const { actionId } = h.target.pushDeployment(deployment);
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.is(installs(h), 1);
});

test('RAUC failure: closed/failure with RAUC\'s LastError verbatim and the install code', async (t) => {
  const lastError = "Installation error: Compatible mismatch: Expected 'Test Device' but bundle manifest has 'Other Device'";
  const h = await AgentHarness.start({ fakeRauc: { resultCode: 1, lastError } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  const status = finalStatus(h);
  t.is(status.code, 2001);
  t.true(status.details.join(' ').includes(lastError));
});

test('RAUC missing: polling and attributes work, the install fails with a clear error', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  await h.fakeRauc!.stop();
  h.fakeRauc = undefined;
  const { actionId } = h.target.pushDeployment(deployment);
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  t.like(h.target.attributes, { product: 'Scenario Board' });
  t.is(h.target.attributes.rauc_compatible, undefined);
  t.regex(finalStatus(h).details.join(' '), /RAUC.*(not|unavailable).*\(is the RAUC service running\?\)/i);
  t.regex(h.logs.text, /RAUC attributes unavailable/);
});

test('RAUC vanishing mid-install is a failure, not a hang', async (t) => {
  const h = await AgentHarness.start({ fakeRauc: { vanishMidInstall: true, delayMs: 20 } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  t.is(finalStatus(h).code, 2001);
});

test('server down, then back: the agent keeps polling with backoff and carries the action through', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  h.hb.failNext(8, 503);
  await h.runUntil(() => h.target.action(actionId).status !== 'active', { timeoutMs: 120_000 });
  t.is(h.target.action(actionId).status, 'finished');
  t.regex(h.logs.text, /poll failed: .*503/);
  t.is(feedbackChain(h.target, actionId).filter((entry) => entry.startsWith('closed/')).length, 1);
});

test('the final result is kept and delivered when feedback fails for a while', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  let armed = false;
  await h.runUntil(() => h.target.action(actionId).status !== 'active', {
    timeoutMs: 120_000,
    onPersist: (state) => {
      if (state.phase.kind === 'reporting' && !armed) {
        armed = true;
        h.hb.failNext(5, 500, { match: /\/feedback$/ });
      }
    },
  });
  t.true(armed);
  t.is(h.target.action(actionId).status, 'finished');
  t.is(feedbackChain(h.target, actionId).filter((entry) => entry === 'closed/success').length, 1);
});

test('a damaged state file naming an action: moved aside, that action reported as failed once, never installed', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  mkdirSync(h.config.stateDir, { recursive: true });
  writeFileSync(`${h.config.stateDir}/state.json`, `{"schema":1,"phase":{"kind":"installing","action":{"id":"${actionId}","type":"forc`);
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  t.is(finalStatus(h).code, 5001);
  t.regex(finalStatus(h).details.join(' '), /damaged state file/);
  t.is(installs(h), 0);
  t.true(readdirSync(h.config.stateDir).some((file) => file.startsWith('state.json.corrupt-')));
  t.regex(h.logs.text, /state file .* is unusable \(not JSON \(truncated or damaged\)\); moved to/);
});

test('server unreachable at start (connection refused): the agent keeps trying and recovers on its own', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  h.config = { ...h.config, hawkbitServer: `127.0.0.1:${port}` };
  let later: FakeHawkbit | undefined;
  t.teardown(() => later?.close());
  let actionId = '';
  await h.runUntil(
    () => {
      if (!later && /poll failed: .*(refused|ECONNREFUSED)/i.test(h.logs.text)) {
        void FakeHawkbit.start({ pollingSleep: '00:00:01', port }).then((server) => {
          later = server;
          actionId = server.addTarget('device-1', { token: TOKEN }).pushDeployment(deployment).actionId;
        });
      }
      return later !== undefined && actionId !== '' && later.target('device-1')!.action(actionId).status !== 'active';
    },
    { timeoutMs: 120_000 },
  );
  t.is(later!.target('device-1')!.action(actionId).status, 'finished');
  t.regex(h.logs.text, /poll failed: .*(refused|ECONNREFUSED)/i);
});
