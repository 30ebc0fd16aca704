/**
 * What the server receives besides execution/result: progress `{cnt, of}` for the download and the
 * installation (growing, out of 100, a bounded number of entries per action) and `timestamp` (only
 * from a synchronised clock).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { silentLogger } from '../../src/log/index.js';
import { SyncedClock } from '../../src/system/index.js';
import { RAUC_18_SUCCESS } from '../fakes/rauc/progress.js';
import type { FakeTarget } from '../fakes/hawkbit/index.js';
import { AgentHarness, twoBundleChunks } from '../helpers/agent-harness.js';

interface Body {
  timestamp?: number;
  status: { execution: string; result: { finished: string; progress?: { cnt: number; of?: number } }; details: string[] };
}
const bodies = (target: FakeTarget, actionId: string) =>
  target.feedback.filter((record) => record.actionId === actionId && record.kind === 'deployment').map((record) => record.body as Body);
const withProgress = (list: Body[], execution: string) => list.filter((body) => body.status.execution === execution && body.status.result.progress);

function assertGrowing(t: { true(value: boolean, message?: string): void; is(a: unknown, b: unknown, message?: string): void }, list: Body[], what: string): void {
  const counts = list.map((body) => body.status.result.progress!.cnt);
  for (const body of list) t.is(body.status.result.progress!.of, 100, `${what}: of is always 100`);
  t.true(counts.every((cnt, index) => index === 0 || cnt >= counts[index - 1]!), `${what}: cnt never goes back: ${counts.join(' ')}`);
  t.true(counts.every((cnt) => cnt >= 0 && cnt <= 100), `${what}: cnt within 0..100: ${counts.join(' ')}`);
}

test('progress: download and RAUC progress reach the server growing, out of 100, in bounded numbers', async (t) => {
  // 1 MiB at 256 KiB/s: about 4 s of download; the throttles' clock runs 100× faster, so their 30 s
  // (download) and 1 s (installation) become 0.3 s and 10 ms: each 10 % step may become an entry.
  const h = await AgentHarness.start({ client: { download_speed_limit: '262144' }, timeScale: 100, fakeRauc: { delayMs: 40 } });
  t.teardown(() => h.stop());
  const big = Buffer.alloc(1024 * 1024, 3);
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'big.raucb', content: big }] }] });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  const all = bodies(h.target, actionId);

  const download = withProgress(all, 'download');
  t.true(download.length >= 3, `several download progress entries (${download.length})`);
  t.true(download.length <= 10, `at most one per 10 % (${download.length})`);
  assertGrowing(t, download, 'download');
  t.true(new Set(download.map((body) => body.status.result.progress!.cnt)).size === download.length, 'no download percentage twice');
  t.regex(download.at(-1)!.status.details[0]!, /^Downloading big\.raucb: .* of 1\.0 MiB at /);

  const install = withProgress(all, 'proceeding');
  // Ours ("Installing … with RAUC", 0) plus RAUC's, at most one per 10 % with 0 and 100 always.
  t.true(install.length >= 3 && install.length <= 12, `install progress entries (${install.length})`);
  assertGrowing(t, install, 'install');
  t.is(install.at(-1)!.status.result.progress!.cnt, 100);
  t.is(install.at(-1)!.status.details[0], 'Installing done. (depth 1)');
  t.true(install.length <= RAUC_18_SUCCESS.length + 1);
  t.true(all.length <= 30, `entries for the action (${all.length})`);
});

test('progress over several bundles counts for the whole action: cnt never starts again at 0', async (t) => {
  const h = await AgentHarness.start({ timeScale: 100, fakeRauc: { delayMs: 20 } });
  t.teardown(() => h.stop());
  const content = Buffer.from('bundle '.repeat(1000));
  const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: twoBundleChunks(content, '5.1') });
  await h.runUntil(() => h.target.action(actionId).status !== 'active');
  t.is(h.target.action(actionId).status, 'finished');
  const install = withProgress(bodies(h.target, actionId), 'proceeding');
  assertGrowing(t, install, 'install');
  const second = install.filter((body) => body.status.details[0]!.startsWith('[2/2]'));
  t.true(second.length >= 2, 'the second bundle reported progress');
  t.true(second.every((body) => body.status.result.progress!.cnt >= 50), JSON.stringify(second.map((body) => body.status.result.progress)));
  t.is(install.at(-1)!.status.result.progress!.cnt, 100);
});

test('timestamp: sent with every feedback once the clock is synchronised, never before', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-clock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const syncFile = join(dir, 'synchronized');
  const clock = new SyncedClock({ log: silentLogger(), syncFile, syncCommand: null, recheckMs: 0 });
  const h = await AgentHarness.start({ clock });
  t.teardown(() => h.stop());
  const chunks = [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content: Buffer.from('bundle') }] }];

  const before = h.target.pushDeployment({ type: 'forced', chunks }).actionId;
  await h.runUntil(() => h.target.action(before).status !== 'active');
  const unsynced = bodies(h.target, before);
  t.true(unsynced.length >= 3);
  t.true(unsynced.every((body) => !('timestamp' in body)), 'no timestamp from an unsynchronised clock');

  writeFileSync(syncFile, '');
  const start = Date.now();
  const after = h.target.pushDeployment({ type: 'forced', chunks: [{ ...chunks[0]!, version: '3.0' }] }).actionId;
  await h.runUntil(() => h.target.action(after).status !== 'active');
  const synced = bodies(h.target, after);
  t.true(synced.length >= 3);
  for (const body of synced) {
    t.is(typeof body.timestamp, 'number', JSON.stringify(body));
    t.true(body.timestamp! >= start && body.timestamp! <= Date.now(), `timestamp ${body.timestamp} within the run`);
  }
  t.true(synced.every((body, index) => index === 0 || body.timestamp! >= synced[index - 1]!.timestamp!));
});
