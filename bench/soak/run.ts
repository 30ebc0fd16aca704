// npm run bench:soak — the agent (`node dist/cli.js`, a child process) polls a fake hawkBit that resets,
// fails (503) and delays requests at random, with real RAUC on a private bus and a small forced update
// now and then. Not a test. Prints requests, faults, errors, RSS and open descriptors at start and end.
// Environment (defaults): SOAK_SECONDS (600), SOAK_POLL_MS (100: the 1 s poll sleep shortened by
// bench/agent/fast-poll.cjs; 1000 = the agent's own timing), SOAK_UPDATE_SECONDS (60; 0 = none),
// SOAK_RESET_RATE (0.05), SOAK_ERROR_RATE (0.05), SOAK_SLOW_RATE (0.05), SOAK_WARMUP_SECONDS (30),
// SOAK_HEAP_SNAPSHOTS (a directory: the agent writes a V8 heap snapshot there after the warm-up and at
// the end, to tell retained memory from heap growth; a snapshot inflates the RSS figures of that run).
import { setTimeout as sleep } from 'node:timers/promises';
import { RaucEnvironment } from '../../test/harness/rauc-environment.js';
import { median } from '../download/measure.js';
import { AgentProcess } from '../agent/agent-process.js';
import { Fixture } from '../agent/fixture.js';
import { describeFds, formatFds, loadAverage, sample, type ProcSample } from '../agent/proc-stats.js';
import { SoakUpdates } from './updates.js';

const numberFromEnv = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const seconds = numberFromEnv('SOAK_SECONDS', 600);
const pollMs = numberFromEnv('SOAK_POLL_MS', 100);
const updateSeconds = numberFromEnv('SOAK_UPDATE_SECONDS', 60);
const warmupSeconds = numberFromEnv('SOAK_WARMUP_SECONDS', 30);
const faults = { resetRate: numberFromEnv('SOAK_RESET_RATE', 0.05), errorRate: numberFromEnv('SOAK_ERROR_RATE', 0.05), slowRate: numberFromEnv('SOAK_SLOW_RATE', 0.05) };
const snapshotDir = process.env.SOAK_HEAP_SNAPSHOTS;
const SLOW_MS: [number, number] = [500, 3000];
const SAMPLE_MS = 5_000;
/** RSS at start and end: medians of the samples in the first and last minute (one sample is at the mercy of the GC). */
const WINDOW_MS = 60_000;

interface Timed extends ProcSample {
  readonly at: number;
}

async function main(): Promise<void> {
  const loadAtStart = loadAverage();
  console.log(`soak: ${seconds} s (+${warmupSeconds} s warm-up), poll sleep ${pollMs} ms, faults ${JSON.stringify(faults)} slow ${SLOW_MS.join('–')} ms, update every ${updateSeconds || '—'} s; load average ${loadAtStart}`);
  const rauc = await RaucEnvironment.start({ bootSlot: 'A' });
  const fixture = await Fixture.start({ pollingSleep: '00:00:01' });
  const nodeArgs = snapshotDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`] : [];
  const agent = AgentProcess.start(fixture.configFile, { env: rauc.env, nodeArgs, ...(pollMs === 1000 ? {} : { fastPoll: { ms: pollMs } }) });
  const snapshot = () => snapshotDir && !crashed && process.kill(agent.pid, 'SIGUSR2');
  const updates = updateSeconds > 0 ? await SoakUpdates.prepare(fixture, rauc) : undefined;
  let crashed = false;
  void agent.exited().then(() => (crashed = true));
  try {
    await fixture.poll(1, 60_000);
    fixture.hb.setRandomFaults({ ...faults, errorStatus: 503, slowMs: SLOW_MS });
    await sleep(warmupSeconds * 1000);
    const startFds = await describeFds(agent.pid);
    snapshot();
    const samples: Timed[] = [];
    const startedAt = performance.now();
    const requestsAtStart = total(fixture.counts);
    let nextUpdate = updateSeconds * 1000;
    let nextReport = 60_000;
    for (let elapsed = 0; elapsed < seconds * 1000 && !crashed; elapsed = performance.now() - startedAt) {
      samples.push({ ...(await sample(agent.pid)), at: elapsed });
      if (updates && elapsed >= nextUpdate) {
        updates.push();
        nextUpdate += updateSeconds * 1000;
      }
      if (elapsed >= nextReport) {
        const last = samples.at(-1)!;
        console.log(`${(elapsed / 1000).toFixed(0)} s: ${total(fixture.counts) - requestsAtStart} requests, RSS ${last.rssMb.toFixed(1)} MB, fds ${last.fds}, poll failures ${agent.pollFailures}${updates ? `, ${updates.describe()}` : ''}`);
        nextReport += 60_000;
      }
      await sleep(SAMPLE_MS);
    }
    snapshot();
    if (snapshotDir) await sleep(15_000); // let the snapshot be written before SIGTERM
    const endFds = crashed ? new Map<string, number>() : await describeFds(agent.pid);
    const end = crashed ? undefined : await sample(agent.pid);
    const requests = total(fixture.counts) - requestsAtStart;
    const exitedEarly = crashed;
    const exit = await agent.stop();
    report({ samples, end, startFds, endFds, requests, exit, crashed: exitedEarly, counts: fixture.counts, faultCounts: fixture.hb.randomFaultCounts, pollFailures: agent.pollFailures, updates, loads: [loadAtStart, loadAverage()], output: agent.output });
  } finally {
    await agent.stop();
    await fixture.close();
    await rauc.stop();
  }
}

function total(counts: ReadonlyMap<string, number>): number {
  return [...counts.values()].reduce((sum, count) => sum + count, 0);
}

function report(r: {
  samples: readonly Timed[];
  end: ProcSample | undefined;
  startFds: Map<string, number>;
  endFds: Map<string, number>;
  requests: number;
  exit: number | string | undefined;
  crashed: boolean;
  counts: ReadonlyMap<string, number>;
  faultCounts: { resets: number; errors: number; slow: number };
  pollFailures: number;
  updates: SoakUpdates | undefined;
  loads: string[];
  output: string;
}): void {
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const row = (what: string, value: string, target = '') => console.log(`| ${what} | ${value} | ${target} |`);
  const first = r.samples[0];
  const last = r.samples.at(-1);
  const span = last?.at ?? 0;
  const rssIn = (from: number, to: number) => median(r.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.rssMb));
  const rssStart = rssIn(0, WINDOW_MS);
  const rssEnd = rssIn(span - WINDOW_MS, span);
  const growth = rssEnd - rssStart;
  const fdsStart = [...r.startFds.values()].reduce((a, b) => a + b, 0);
  const fdsEnd = [...r.endFds.values()].reduce((a, b) => a + b, 0);
  const survived = !r.crashed && r.exit === 0;
  console.log(`\nsoak, ${new Date().toISOString()}, ${(span / 1000).toFixed(0)} s after a ${warmupSeconds} s warm-up, load average (1/5/15 min) ${r.loads.join(', then ')}\n`);
  console.log('| measure | value | target |\n|---|---|---|');
  row('agent alive throughout, exit code on SIGTERM', `${r.crashed ? 'CRASHED' : 'yes'}, ${r.exit}`, `no crash: ${check(survived)}`);
  row('requests (during the measured span)', `${r.requests} (${(r.requests / Math.max(1, span / 1000)).toFixed(1)}/s); all since start: ${[...r.counts].map(([kind, count]) => `${kind} ${count}`).join(', ')}`);
  row('faults injected (since start)', `${r.faultCounts.resets} resets, ${r.faultCounts.errors} × 503, ${r.faultCounts.slow} slow (${SLOW_MS.join('–')} ms)`);
  row('errors seen by the poll loop ("poll failed" after the client\'s retries)', String(r.pollFailures));
  if (r.updates) row('forced updates (1 MiB bundle, real RAUC)', r.updates.describe());
  row('RSS start → end (medians of the first and last minute)', `${rssStart.toFixed(1)} → ${rssEnd.toFixed(1)} MB (growth ${growth.toFixed(1)} MB)`, `≤ 5 MB: ${check(growth <= 5)}`);
  row('RSS single samples: first, last, max', `${first?.rssMb.toFixed(1)}, ${r.end?.rssMb.toFixed(1) ?? '—'}, ${Math.max(...r.samples.map((s) => s.rssMb)).toFixed(1)} MB`);
  row('open descriptors start → end', `${fdsStart} → ${fdsEnd} (max ${Math.max(...r.samples.map((s) => s.fds))})`, `no leak: ${check(!r.crashed && noLeak(r.startFds, r.endFds))}`);
  row('descriptors at start', formatFds(r.startFds));
  row('descriptors at end', formatFds(r.endFds));
  if (!survived) console.log(`\nlast output of the agent:\n${r.output}`);
}

/**
 * Every kind of descriptor as many at the end as at the start, except sockets: the keep-alive connection
 * to the server may be open at one sample and closed (reset, idle) at the other, so one more is allowed.
 */
function noLeak(start: Map<string, number>, end: Map<string, number>): boolean {
  const kinds = new Set([...start.keys(), ...end.keys()]);
  return [...kinds].every((kind) => (end.get(kind) ?? 0) <= (start.get(kind) ?? 0) + (kind === 'socket' ? 1 : 0));
}

await main();
