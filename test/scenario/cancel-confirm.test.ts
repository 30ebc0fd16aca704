import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { recordDecision } from '../../src/agent/confirmation.js';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

const content = Buffer.from('bundle bytes '.repeat(5000));
const deployment = { type: 'forced' as const, chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content }] }] };
const installs = (h: AgentHarness) => h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length;

test('cancel before the download: accepted, nothing fetched', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  h.target.cancel(actionId);
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'canceled');
  t.deepEqual(feedbackChain(h.target, actionId), ['cancel:closed/success']);
  t.false(h.hb.requests.some((request) => request.path.includes('/artifacts/')));
});

test('cancel during the download: the transfer stops, files are removed, cancel accepted, nothing installed', async (t) => {
  const big = Buffer.alloc(3 * 1024 * 1024, 7);
  const h = await AgentHarness.start({ client: { download_speed_limit: '262144' } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'big.raucb', content: big }] }] });
  let canceled = false;
  await h.runUntil(() => {
    if (!canceled && feedbackChain(h.target, actionId).includes('download/none')) {
      canceled = true;
      h.target.cancel(actionId);
    }
    return h.target.action(actionId).status !== 'active';
  });
  t.is(h.target.action(actionId).status, 'canceled');
  t.is(feedbackChain(h.target, actionId).at(-1), 'cancel:closed/success');
  t.is(installs(h), 0);
  t.deepEqual(readdirSync(join(h.dir, 'downloads')), []);
});

test('cancel during the installation: rejected, the installation completes and is reported', async (t) => {
  const h = await AgentHarness.start({ fakeRauc: { delayMs: 250 } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  let canceled = false;
  await h.runUntil(() => {
    if (!canceled && h.fakeRauc!.calls.some((call) => call.method === 'InstallBundle')) {
      canceled = true;
      h.target.cancel(actionId);
    }
    return h.target.action(actionId).status !== 'active' && !h.target.action(actionId).canceling;
  });
  const chain = feedbackChain(h.target, actionId);
  t.true(chain.includes('cancel:rejected/none'), chain.join(' '));
  t.is(h.target.action(actionId).status, 'finished');
  t.is(chain.at(-1), 'closed/success');
  t.is(installs(h), 1);
});

test('confirmation, policy auto: confirmed with the policy in the details, then installed', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ ...deployment, confirmationRequired: true });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  const chain = feedbackChain(h.target, actionId);
  t.is(chain[0], 'confirmation:confirmed');
  t.regex(JSON.stringify(h.target.feedback[0]!.body), /confirmation_policy = auto/);
  t.is(h.target.action(actionId).status, 'finished');
});

test('confirmation, policy command: denied once (code 3002), not asked again, nothing downloaded', async (t) => {
  const h = await AgentHarness.start({ client: { confirmation_policy: 'command', confirmation_command: "sh -c 'echo user said no; exit 1'" } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ ...deployment, confirmationRequired: true });
  await h.runUntil(() => h.hb.requests.filter((request) => request.path.endsWith('/device-1')).length >= 4);
  const denials = h.target.feedback.filter((record) => record.kind === 'confirmation');
  t.is(denials.length, 1);
  t.like(denials[0]!.body, { confirmation: 'denied', code: 3002 });
  t.regex(JSON.stringify(denials[0]!.body), /user said no/);
  t.true(h.target.action(actionId).awaitingConfirmation);
  t.false(h.hb.requests.some((request) => request.path.includes('/artifacts/')));
});

test('confirmation, policy manual: waits, then `confirm ID` lets it proceed', async (t) => {
  const h = await AgentHarness.start({ client: { confirmation_policy: 'manual' } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ ...deployment, confirmationRequired: true });
  await h.runUntil(() => h.hb.requests.filter((request) => request.path.endsWith('/device-1')).length >= 3);
  t.is(h.target.feedback.length, 0, 'nothing decided without the user');
  t.regex(h.logs.text, new RegExp(`action ${actionId} awaits confirmation: run 'hawkbit-rauc -c .* confirm ${actionId}'`));
  await recordDecision(h.config.stateDir, actionId, 'confirmed');
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(feedbackChain(h.target, actionId)[0], 'confirmation:confirmed');
  t.is(h.target.action(actionId).status, 'finished');
});

test('cancel racing the download: the server refuses the artifact (404) right after the cancel; the cancel wins, no failure', async (t) => {
  let raced = false;
  const holder: { h?: AgentHarness; actionId?: string } = {};
  const h = await AgentHarness.start({
    hawkbit: {
      // The operator cancels just as the artifact is requested, and the server refuses it (hawkBit 0.3.0M1 did).
      onRequest: (request) => {
        if (!raced && holder.actionId && request.path.includes('/artifacts/')) {
          raced = true;
          holder.h!.target.cancel(holder.actionId);
          holder.h!.hb.failNext(1, 404, { match: /\/artifacts\// });
        }
      },
    },
  });
  holder.h = h;
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  holder.actionId = actionId;
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  const chain = feedbackChain(h.target, actionId);
  t.true(raced, 'the artifact request raced the cancel');
  t.is(h.target.action(actionId).status, 'canceled', chain.join(' '));
  t.false(chain.includes('closed/failure'), chain.join(' '));
  t.is(chain.at(-1), 'cancel:closed/success');
  t.is(installs(h), 0);
  t.deepEqual(readdirSync(join(h.dir, 'downloads')), []);
  t.regex(h.logs.text, /but the server has canceled the action meanwhile; the cancel wins/);
});
