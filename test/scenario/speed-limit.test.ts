import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

const LIMIT = 4_000_000;
const MIB = 1024 * 1024;
const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: MIB, GiB: 1024 * MIB };
/**
 * The server counts bytes when its kernel takes them into the socket's send queue, not when we read
 * them, so its count may run ahead of our reading by what that queue holds (Linux: at most tcp_wmem's
 * maximum, 4 MiB by default; the kernel wakes the writer when half of it is free, so the count moves in
 * steps of up to 2 MiB: 1.98 MiB measured).
 */
const SEND_QUEUE = sendQueueMax();
/** Our socket's receive buffer: Node cannot set SO_RCVBUF, Linux autotunes it (1.3 MB measured at 4 MB/s on loopback). */
const RECEIVE_BUFFER = 8 * MIB;

function sendQueueMax(): number {
  try {
    const max = Number(readFileSync('/proc/sys/net/ipv4/tcp_wmem', 'utf8').trim().split(/\s+/)[2]);
    return Number.isFinite(max) && max > 0 ? max : 4 * MIB;
  } catch {
    return 4 * MIB;
  }
}

test('download_speed_limit holds from the first byte, reading stops at the socket, feedback reports the recent rate', async (t) => {
  const content = randomBytes(32 * MIB);
  const h = await AgentHarness.start({ client: { download_speed_limit: String(LIMIT) } });
  t.teardown(() => h.stop());
  const { actionId } = h.target.pushDeployment({ type: 'downloadonly', chunks: [{ name: 'data', version: '1', artifacts: [{ filename: 'big.bin', content }] }] });
  await h.runUntil(() => h.target.action(actionId).status !== 'active', { timeoutMs: 120_000 });
  t.is(h.target.action(actionId).status, 'finished');
  t.is(feedbackChain(h.target, actionId).at(-1), 'downloaded/success');
  t.true(readFileSync(join(h.dir, 'downloads', 'big.bin')).equals(content));

  // The server's record: one body, sent in 64 KiB writes, each timed when its socket accepted it.
  t.is(h.hb.downloads.length, 1, 'one transfer, no retry');
  const { startedAt, sent } = h.hb.downloads[0]!;
  t.is(sent.at(-1)?.bytes, content.length);
  const lastAt = sent.at(-1)!.at - startedAt;
  t.true(lastAt >= ((content.length - SEND_QUEUE - RECEIVE_BUFFER) / LIMIT) * 1000, `the server got rid of the last byte after ${lastAt.toFixed(0)} ms: reading was not paused`);
  let worst = Number.NEGATIVE_INFINITY;
  let where = '';
  for (let i = 0; i < sent.length; i++) {
    const from = sent[i - 1] ?? { at: startedAt, bytes: 0 };
    if (from.at - startedAt < 1000) continue;
    for (let j = i; j < sent.length; j++) {
      const seconds = (sent[j]!.at - from.at) / 1000;
      if (seconds < 1) continue;
      const excess = sent[j]!.bytes - from.bytes - 1.1 * LIMIT * seconds;
      if (excess > worst) {
        worst = excess;
        where = `${((from.at - startedAt) / 1000).toFixed(2)} s + ${seconds.toFixed(2)} s`;
      }
    }
  }
  t.log(`last byte at ${lastAt.toFixed(0)} ms; worst window excess ${(worst / MIB).toFixed(2)} MiB at ${where}`);
  t.true(worst <= SEND_QUEUE + 64 * 1024, `the server sent ${(worst / MIB).toFixed(2)} MiB more than 1.1 × the cap in the window ${where}`);

  // The progress feedback hawkBit received: sent at ≥ 10 %, its rate measured over the recent past.
  const progress = h.hb.requests.filter((request) => /\/deploymentBase\/[^/]+\/feedback$/.test(request.path) && JSON.stringify(request.body).includes('"progress"'));
  const entry = progress.find((request) => /of 32\.0 MiB at/.test(JSON.stringify(request.body)));
  t.truthy(entry, 'a progress entry with a rate');
  const match = /: ([\d.]+) MiB of 32\.0 MiB at ([\d.]+) (B|KiB|MiB|GiB)\/s/.exec(JSON.stringify(entry!.body));
  t.truthy(match, JSON.stringify(entry!.body));
  const done = Number(match![1]) * MIB;
  const rate = Number(match![2]) * UNITS[match![3]!]!;
  t.true(rate <= 1.1 * LIMIT && rate >= LIMIT / 4, `reported ${match![2]} ${match![3]}/s under a cap of ${LIMIT} B/s`);
  // Our reading obeys the cap from the first byte (a 50 ms burst and one chunk at most), so the agent
  // cannot have had `done` bytes before done / LIMIT seconds.
  const after = entry!.at - startedAt;
  t.true(after >= ((done - 0.05 * LIMIT - 0.1 * MIB - 64 * 1024) / LIMIT) * 1000, `${(done / MIB).toFixed(1)} MiB reported ${after.toFixed(0)} ms after the first byte`);
});
