/**
 * The status codes of docs/protocol.md that are sent outside the failure paths of failures.test.ts,
 * policy.test.ts, reboot.test.ts, deployment-types.test.ts and cancel-confirm.test.ts, each checked in
 * the body the server received. test/unit/ddi/status-codes-doc.test.ts checks that every documented
 * code has such a test.
 */
import test from 'ava';
import type { FeedbackRecord } from '../fakes/hawkbit/index.js';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

const content = Buffer.from('bundle bytes '.repeat(5000));
const chunks = [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content }] }];
const installs = (h: AgentHarness) => h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length;

interface Status {
  execution: string;
  result: { finished: string };
  code?: number;
  details: string[];
}
const statusOf = (record: FeedbackRecord) => (record.body as { status: Status }).status;
const lastStatus = (h: AgentHarness, actionId: string) => statusOf(h.target.feedback.filter((record) => record.actionId === actionId).at(-1)!);

test('success: closed/success carries code 200', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.like(lastStatus(h, actionId), { execution: 'closed', result: { finished: 'success' }, code: 200 });
  // Intermediate feedback carries no code: only results do.
  const others = h.target.feedback.filter((record) => record.actionId === actionId).slice(0, -1).map(statusOf);
  t.true(others.length >= 2);
  t.true(others.every((status) => status.code === undefined), JSON.stringify(others));
});

test('download-only: downloaded/success carries code 200', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'downloadonly', chunks });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  t.like(lastStatus(h, actionId), { execution: 'downloaded', result: { finished: 'success' }, code: 200 });
});

test('download failed (artifact answered 404): closed/failure with code 1001, nothing installed', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  h.hb.failNext(50, 404, { match: /\/artifacts\/u\.raucb$/ });
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  const status = lastStatus(h, actionId);
  t.like(status, { execution: 'closed', result: { finished: 'failure' }, code: 1001 });
  t.regex(status.details.join(' '), /404/);
  t.is(installs(h), 0);
});

test('the local gate refuses: scheduled/none with code 3001 and the reason, nothing downloaded', async (t) => {
  const h = await AgentHarness.start({ client: { update_gate_command: 'false' } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'soft', chunks });
  await h.runUntil(() => feedbackChain(h.target, actionId).includes('scheduled/none'));
  const status = lastStatus(h, actionId);
  t.like(status, { execution: 'scheduled', result: { finished: 'none' }, code: 3001 });
  t.regex(status.details.join(' '), /local update gate refused the download \(exit code 1\)/);
  t.false(h.hb.requests.some((request) => request.path.includes('/artifacts/')));
  t.is(h.target.action(actionId).status, 'active');
});

test('cancel accepted: the cancelAction feedback closed/success carries code 3003', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks });
  h.target.cancel(actionId);
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'canceled');
  const record = h.target.feedback.find((entry) => entry.actionId === actionId && entry.kind === 'cancel');
  t.truthy(record);
  t.like(statusOf(record!), { execution: 'closed', result: { finished: 'success' }, code: 3003 });
});

test('a deployment answer that does not fit the protocol: closed/failure with code 4001 naming the field, not 5001', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks });
  h.hb.failNext(1, 200, { match: /\/deploymentBase\//, body: { id: actionId, deployment: { download: 'forced', update: 'forced', chunks: 'none' } } });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  const status = lastStatus(h, actionId);
  t.like(status, { execution: 'closed', result: { finished: 'failure' }, code: 4001 });
  t.regex(status.details.join(' '), /deployment\.chunks/);
  t.is(installs(h), 0);
});

test('the server refusing the deployment request (HTTP 400) during an action: code 4001', async (t) => {
  const h = await AgentHarness.start();
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks });
  h.hb.failNext(1, 400, { match: /\/deploymentBase\//, body: { errorCode: 'hawkbit.server.error.some' } });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'error');
  const status = lastStatus(h, actionId);
  t.like(status, { execution: 'closed', result: { finished: 'failure' }, code: 4001 });
  t.regex(status.details.join(' '), /answered 400 hawkbit\.server\.error\.some/);
});
