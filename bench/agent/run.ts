// npm run bench:agent — the agent (`node dist/cli.js`, a child process) against the fake hawkBit in this
// process and real RAUC on a private bus: start → first poll, RSS and CPU over idle polls, and a forced
// update of a ~100 MiB bundle. Not a test. Environment (defaults): BENCH_AGENT_STARTS (7),
// BENCH_AGENT_POLLS (1000), BENCH_AGENT_POLL_MS (10: the 1 s poll sleep shortened by fast-poll.mjs),
// BENCH_AGENT_IDLE_POLLS (20, at the real 1 s interval), BENCH_AGENT_BUNDLE_MIB (100),
// BENCH_AGENT_UPDATES (3), BENCH_AGENT_NODE_ARGS (extra node arguments, e.g. "--cpu-prof").
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { RaucEnvironment } from '../../test/harness/rauc-environment.js';
import { median } from '../download/measure.js';
import { AgentProcess } from './agent-process.js';
import { Fixture } from './fixture.js';
import { measurePolls, measureStarts, type PollFigures } from './idle.js';
import { loadAverage, sample } from './proc-stats.js';
import { measureUpdate, type UpdateFigures } from './update.js';

const MiB = 1024 * 1024;
const numberFromEnv = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const starts = numberFromEnv('BENCH_AGENT_STARTS', 7);
const polls = numberFromEnv('BENCH_AGENT_POLLS', 1000);
const fastPollMs = numberFromEnv('BENCH_AGENT_POLL_MS', 10);
const idlePolls = numberFromEnv('BENCH_AGENT_IDLE_POLLS', 20);
const bundleMib = numberFromEnv('BENCH_AGENT_BUNDLE_MIB', 100);
const updates = numberFromEnv('BENCH_AGENT_UPDATES', 3);
const nodeArgs = (process.env.BENCH_AGENT_NODE_ARGS ?? '').split(' ').filter(Boolean);
const WARMUP_POLLS = 10;

const cpuPerPoll = (figures: PollFigures) => ((figures.samples.at(-1)?.cpuMs ?? Number.NaN) - figures.first.cpuMs) / figures.polls;
const rssGrowth = (figures: PollFigures) => (figures.samples.at(-1)?.rssMb ?? Number.NaN) - figures.first.rssMb;

async function main(): Promise<void> {
  const loads = [loadAverage()];
  console.log(`load average ${loads[0]}; starting real RAUC and the fake hawkBit …`);
  const rauc = await RaucEnvironment.start({ bootSlot: 'A' });
  const fixture = await Fixture.start({ pollingSleep: '00:00:01' });
  try {
    const startFigures = await measureStarts(fixture, starts, rauc.env);
    console.log(`start → first poll (ms): ${startFigures.firstPollMs.map((ms) => ms.toFixed(0)).join(' ')}; bare node: ${startFigures.bareNodeMs.map((ms) => ms.toFixed(0)).join(' ')}`);
    const fast = await measurePolls(fixture, { polls, warmup: WARMUP_POLLS, fastPollMs, env: rauc.env, nodeArgs });
    console.log(`${polls} polls in ${fast.seconds.toFixed(1)} s; RSS ${[fast.first, ...fast.samples].map((s) => s.rssMb.toFixed(1)).join(' → ')} MB; fds ${fast.first.fds} → ${fast.samples.at(-1)?.fds}`);
    loads.push(loadAverage());

    const image = randomBytes(bundleMib * MiB);
    const imageSha256 = createHash('sha256').update(image).digest('hex');
    let built = performance.now();
    const bundlePath = await rauc.buildBundle({ version: 'bench-1', imageBytes: image });
    const bytes = await readFile(bundlePath);
    built = (performance.now() - built) / 1000;
    console.log(`bundle: ${(bytes.length / MiB).toFixed(1)} MiB, built with rauc bundle in ${built.toFixed(1)} s`);

    const agent = AgentProcess.start(fixture.configFile, { env: rauc.env, nodeArgs });
    const results: UpdateFigures[] = [];
    let slow: PollFigures;
    try {
      slow = await measureRunningPolls(fixture, agent, idlePolls);
      for (let run = 1; run <= updates; run++) {
        const figures = await measureUpdate(fixture, agent, rauc, { bytes, imageSha256, imageBytes: image.length, version: `bench-${run}` });
        results.push(figures);
        console.log(`update ${run}: ${figures.result} in ${figures.totalS.toFixed(1)} s (notice ${figures.noticeS.toFixed(1)}, download ${figures.downloadS.toFixed(1)}, install ${figures.installS.toFixed(1)}), cpu ${figures.cpuS.toFixed(1)} s, slot verified: ${figures.slotVerified}`);
      }
    } finally {
      await agent.stop();
    }
    loads.push(loadAverage());
    report({ startFigures, fast, slow, results, bundleMib: bytes.length / MiB, loads });
  } finally {
    await fixture.close();
    await rauc.stop();
  }
}

/** CPU per poll at the agent's real 1 s interval, on an agent that is already running. */
async function measureRunningPolls(fixture: Fixture, agent: AgentProcess, count: number): Promise<PollFigures> {
  fixture.resetPolls();
  const start = await fixture.poll(3);
  const first = await sample(agent.pid);
  const end = await fixture.poll(3 + count, 60_000 + count * 3_000);
  const last = await sample(agent.pid);
  return { polls: count, seconds: (end.at - start.at) / 1000, first, samples: [last], pollFailures: agent.pollFailures };
}

function report(r: { startFigures: Awaited<ReturnType<typeof measureStarts>>; fast: PollFigures; slow: PollFigures; results: UpdateFigures[]; bundleMib: number; loads: string[] }): void {
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const row = (what: string, value: string, target = '') => console.log(`| ${what} | ${value} | ${target} |`);
  const firstPoll = median(r.startFigures.firstPollMs);
  const ms = (values: readonly number[]) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
  const pick = (field: keyof UpdateFigures) => median(r.results.map((u) => Number(u[field])));
  console.log(`\nagent benchmark, ${new Date().toISOString()}, load average (1/5/15 min) at start ${r.loads.join(', then ')}\n`);
  console.log('| measure | value | target |\n|---|---|---|');
  row(`start → first poll, median of ${r.startFigures.firstPollMs.length} (range)`, `${firstPoll.toFixed(0)} ms (${ms(r.startFigures.firstPollMs)})`, `≤ 400 ms: ${check(firstPoll <= 400)}`);
  row('bare `node -e 0`, spawn → exit, median (range)', `${median(r.startFigures.bareNodeMs).toFixed(0)} ms (${ms(r.startFigures.bareNodeMs)})`);
  row(`RSS after start (poll ${WARMUP_POLLS})`, `${r.fast.first.rssMb.toFixed(1)} MB`);
  row(`RSS after ${r.fast.polls} more polls`, `${r.fast.samples.at(-1)?.rssMb.toFixed(1)} MB (quarters: ${r.fast.samples.map((s) => s.rssMb.toFixed(1)).join(', ')})`);
  row(`RSS growth over ${r.fast.polls} polls`, `${rssGrowth(r.fast).toFixed(1)} MB`, `≤ 2 MB: ${check(rssGrowth(r.fast) <= 2)}`);
  row(`CPU per idle poll (${r.fast.polls} polls, sleep shortened to ${fastPollMs} ms)`, `${cpuPerPoll(r.fast).toFixed(2)} ms`, `≤ 2 ms: ${check(cpuPerPoll(r.fast) <= 2)}`);
  row(`CPU per idle poll (${r.slow.polls} polls at the real 1 s interval)`, `${cpuPerPoll(r.slow).toFixed(2)} ms`, `≤ 2 ms: ${check(cpuPerPoll(r.slow) <= 2)}`);
  row('open descriptors, after start → after the polls', `${r.fast.first.fds} → ${r.fast.samples.at(-1)?.fds}`);
  if (r.results.length === 0) return;
  const ok = r.results.filter((u) => u.result === 'success' && u.slotVerified).length;
  row(`forced update, ${r.bundleMib.toFixed(0)} MiB bundle, real RAUC: assignment → closed (median of ${r.results.length}, ${ok} succeeded + slot verified)`, `${pick('totalS').toFixed(1)} s`);
  row('… waiting for the next poll (1 s sleep)', `${pick('noticeS').toFixed(1)} s`);
  row('… download + verification (first artifact request → `downloaded`)', `${pick('downloadS').toFixed(1)} s (${(r.bundleMib / pick('downloadS')).toFixed(0)} MiB/s)`);
  row('… installation (`Installing` → `closed`)', `${pick('installS').toFixed(1)} s`);
  row('agent CPU per update; peak RSS', `${pick('cpuS').toFixed(1)} s; ${Math.max(...r.results.map((u) => u.peakRssMb)).toFixed(0)} MB`);
}

await main();
