import { execFileSync } from 'node:child_process';
import test from 'ava';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

/**
 * CVE-2026-34155 end to end through the agent: the downloaded bundle grows (sparse, `truncate`) to
 * 2 GiB + 1 byte once the download is verified, as a real 2 GiB download would leave it; RAUC (the test
 * service, 1.8-like: no InspectBundle, so the format is unknown) reports version 1.13 through
 * rauc_version_command. The server receives closed/failure code 2004; RAUC got no InstallBundle.
 */

const content = Buffer.from('bundle bytes '.repeat(5000));
const deployment = { type: 'forced' as const, chunks: [{ part: 'os', name: 'rootfs', version: '2.0', artifacts: [{ filename: 'big.raucb', content }] }] };

async function run(t: { teardown(fn: () => Promise<void>): void }, client: Record<string, string> = {}) {
  const h = await AgentHarness.start({ client: { rauc_version_command: 'echo rauc 1.13', ...client } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment(deployment);
  let grown = false;
  await h.runUntil(() => h.target.action(actionId).status !== 'active', {
    onPersist: (state) => {
      if (state.phase.kind !== 'downloaded' || grown) return;
      for (const bundle of state.phase.action.bundles) execFileSync('truncate', ['-s', String(2 * 1024 ** 3 + 1), bundle.path!]);
      grown = true;
    },
  });
  return { h, actionId, grown };
}

test('a plain bundle over 2 GiB on RAUC 1.13 is refused before InstallBundle: closed/failure code 2004 received', async (t) => {
  const { h, actionId, grown } = await run(t);
  t.true(grown);
  t.is(h.target.action(actionId).status, 'error');
  t.is(feedbackChain(h.target, actionId).at(-1), 'closed/failure');
  const status = (h.target.feedback.at(-1)!.body as { status: { code?: number; details: string[] } }).status;
  t.is(status.code, 2004, JSON.stringify(status));
  t.regex(status.details[0]!, /^Unsafe bundle, not installed: big\.raucb \(rootfs 2\.0, 2\.0 GiB, 2147483649 bytes, format unknown: RAUC has no InspectBundle, treated as plain\): RAUC 1\.13 is older than 1\.15\.2; .*CVE-2026-34155/);
  t.is(h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length, 0, 'RAUC got no InstallBundle');
});
// allow_large_plain_bundles = true is covered by test/integration/rauc/large-plain.test.ts: here the test
// service would hash the 2 GiB file at InstallBundle, which costs the loaded machine more than it shows.
