// npm run bench:agent — the agent as a device runs it (the bundle of `npm run build:device`, a child
// process, with the shipped unit's options and environment: device-program.ts) against the fake hawkBit
// in this process and real RAUC on a private bus: start → first poll, RSS and CPU over idle polls
// (beside the floor under them: Node's own HTTP client polling alone, bare-poll.cjs, fast and at 1 s), and a forced
// update of a ~100 MiB bundle. Not a test. Environment (defaults): BENCH_AGENT_STARTS (7),
// BENCH_AGENT_POLLS (1000), BENCH_AGENT_POLL_MS (10: the 1 s poll sleep shortened by fast-poll.cjs),
// BENCH_AGENT_SLOW_POLLS (60, at the real 1 s interval, before them, after 20 not counted),
// BENCH_AGENT_SETTLE_POLLS (90, at 1 s, after them), BENCH_AGENT_BUNDLE_MIB (100),
// BENCH_AGENT_UPDATES (3), BENCH_AGENT_NODE_ARGS (extra node arguments, e.g. "--cpu-prof"),
// BENCH_AGENT_CLI (another build's bundle or cli.js instead of this tree's bundle, under the same unit
// options and environment), BENCH_AGENT_PLAIN=1 (without the unit's options and environment),
// BENCH_AGENT_ENV ("NAME=value …", more environment for the agent).
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { RaucEnvironment } from '../../test/harness/rauc-environment.js';
import { median } from '../download/measure.js';
import { AgentProcess } from './agent-process.js';
import { benchProgram, DEVICE_BUNDLE, type AgentProgram } from './device-program.js';
import { Fixture } from './fixture.js';
import { measureFloor, measurePolls, measureStarts, type FloorFigures, type PollFigures } from './idle.js';
import { cpuMsBetween, loadAverage } from './proc-stats.js';
import { measureUpdate, type UpdateFigures } from './update.js';

const MiB = 1024 * 1024;
const numberFromEnv = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const starts = numberFromEnv('BENCH_AGENT_STARTS', 7);
const polls = numberFromEnv('BENCH_AGENT_POLLS', 1000);
const fastPollMs = numberFromEnv('BENCH_AGENT_POLL_MS', 10);
const settlePolls = numberFromEnv('BENCH_AGENT_SETTLE_POLLS', 90);
const slowPolls = numberFromEnv('BENCH_AGENT_SLOW_POLLS', 60);
const bundleMib = numberFromEnv('BENCH_AGENT_BUNDLE_MIB', 100);
const updates = numberFromEnv('BENCH_AGENT_UPDATES', 3);
const nodeArgs = (process.env.BENCH_AGENT_NODE_ARGS ?? '').split(' ').filter(Boolean);
/**
 * Polls at 1 s after start before the counted stretch: past V8's memory reducer, which shrinks the heap
 * the start left in two or three full collections 8–10 s after it (docs/performance.md › Levers, twelfth
 * round). Their CPU is a row of its own.
 */
const WARMUP_POLLS = 20;
const program = benchProgram();

const cpuPerFastPoll = (f: PollFigures) => (f.quarters.at(-1) ? cpuMsBetween(f.start, f.quarters.at(-1)!) : Number.NaN) / f.fastPolls;
const cpuPerSlowPoll = (f: PollFigures) => cpuMsBetween(f.warm, f.start) / f.slowPolls;
const cpuPerWarmupPoll = (f: PollFigures) => cpuMsBetween(f.first, f.warm) / f.warmupPolls;
const rssGrowth = (f: PollFigures) => f.settled.rssMb - f.start.rssMb;

async function main(): Promise<void> {
  const loads = [loadAverage()];
  console.log(`measuring ${program.description}\nload average ${loads[0]}; starting real RAUC and the fake hawkBit …`);
  const rauc = await RaucEnvironment.start({ bootSlot: 'A' });
  const fixture = await Fixture.start({ pollingSleep: '00:00:01' });
  try {
    const startFigures = await measureStarts(fixture, starts, rauc.env, program);
    console.log(`start → first poll (ms): ${startFigures.firstPollMs.map((ms) => ms.toFixed(0)).join(' ')}, CPU ${startFigures.firstPollCpuMs.join(' ')}; bare node: ${startFigures.bareNodeMs.map((ms) => ms.toFixed(0)).join(' ')}`);
    const idle = await measurePolls(fixture, { warmup: WARMUP_POLLS, slow: slowPolls, fast: polls, fastMs: fastPollMs, settle: settlePolls, env: rauc.env, nodeArgs, program });
    const rss = [idle.warm, idle.start, ...idle.quarters, idle.settled].map((s) => s.rssMb.toFixed(1)).join(' → ');
    console.log(`${polls} fast polls in ${idle.fastSeconds.toFixed(1)} s; RSS ${rss} MB; fds ${idle.start.fds} → ${idle.settled.fds}`);
    // The device's start script runs its bundle at V8's baseline tier (src/device-start.ts): the floor too.
    const floorArgs = [...(program.cli === DEVICE_BUNDLE ? ['--max-opt=1'] : []), ...nodeArgs];
    const floor = await measureFloor(fixture, { polls, fastMs: fastPollMs, env: { ...program.env }, nodeArgs: floorArgs });
    console.log(`Node's own HTTP client, ${floor.polls} polls: ${floor.cpuPerPollMs.toFixed(2)} ms CPU per poll`);
    // The same at the real interval: what a poll after a second of sleep costs Node itself on this machine.
    const slowFloor = await measureFloor(fixture, { polls: slowPolls, fastMs: 1000, warmup: WARMUP_POLLS, env: { ...program.env }, nodeArgs: floorArgs });
    console.log(`Node's own HTTP client, ${slowFloor.polls} polls at 1 s: ${slowFloor.cpuPerPollMs.toFixed(2)} ms CPU per poll`);
    loads.push(loadAverage());

    const image = randomBytes(bundleMib * MiB);
    const imageSha256 = createHash('sha256').update(image).digest('hex');
    let built = performance.now();
    const bundlePath = await rauc.buildBundle({ version: 'bench-1', imageBytes: image });
    const bytes = await readFile(bundlePath);
    built = (performance.now() - built) / 1000;
    console.log(`bundle: ${(bytes.length / MiB).toFixed(1)} MiB, built with rauc bundle in ${built.toFixed(1)} s`);

    const agent = AgentProcess.start(fixture.configFile, { env: rauc.env, nodeArgs, program });
    const results: UpdateFigures[] = [];
    try {
      await fixture.poll(1, 60_000);
      for (let run = 1; run <= updates; run++) {
        const figures = await measureUpdate(fixture, agent, rauc, { bytes, imageSha256, imageBytes: image.length, version: `bench-${run}` });
        results.push(figures);
        console.log(`update ${run}: ${figures.result} in ${figures.totalS.toFixed(1)} s (notice ${figures.noticeS.toFixed(1)}, download ${figures.downloadS.toFixed(1)}, install ${figures.installS.toFixed(1)}), cpu ${figures.cpuS.toFixed(1)} s, slot verified: ${figures.slotVerified}`);
      }
    } finally {
      await agent.stop();
    }
    loads.push(loadAverage());
    report({ startFigures, idle, floor, slowFloor, results, bundleMib: bytes.length / MiB, loads, program });
  } finally {
    await fixture.close();
    await rauc.stop();
  }
}

function report(r: { startFigures: Awaited<ReturnType<typeof measureStarts>>; idle: PollFigures; floor: FloorFigures; slowFloor: FloorFigures; results: UpdateFigures[]; bundleMib: number; loads: string[]; program: AgentProgram }): void {
  // A target is met or not by what a device runs; any other program's figures are for comparison only.
  const asOnDevice = r.program.asOnDevice && nodeArgs.length === 0;
  const check = (ok: boolean) => (asOnDevice ? (ok ? 'met' : 'NOT met') : `${ok ? 'met' : 'not met'} by this program, which is not the device's`);
  const row = (what: string, value: string, target = '') => console.log(`| ${what} | ${value} | ${target} |`);
  const firstPoll = median(r.startFigures.firstPollMs);
  const ms = (values: readonly number[]) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
  const pick = (field: keyof UpdateFigures) => median(r.results.map((u) => Number(u[field])));
  console.log(`\nagent benchmark, ${new Date().toISOString()}, load average (1/5/15 min) at start ${r.loads.join(', then ')}`);
  console.log(`measured: ${r.program.description}${nodeArgs.length > 0 ? `; node ${nodeArgs.join(' ')} (BENCH_AGENT_NODE_ARGS)` : ''}\n`);
  console.log('| measure | value | target |\n|---|---|---|');
  row(`start → first poll, median of ${r.startFigures.firstPollMs.length} (range)`, `${firstPoll.toFixed(0)} ms (${ms(r.startFigures.firstPollMs)})`, `≤ 250 ms: ${check(firstPoll <= 250)}`);
  row('bare Node (`node -e`, one statement), spawn → exit, median (range)', `${median(r.startFigures.bareNodeMs).toFixed(0)} ms (${ms(r.startFigures.bareNodeMs)})`);
  // CPU time moves far less with the machine's load than wall time: the figure to compare builds by.
  row('CPU time used by the first poll (all threads), median (range); bare Node', `${median(r.startFigures.firstPollCpuMs).toFixed(0)} ms (${ms(r.startFigures.firstPollCpuMs)}); ${median(r.startFigures.bareNodeCpuMs).toFixed(0)} ms`);
  const { firstStart } = r.startFigures;
  row(`the uncounted first start${r.program.env.CACHE_DIRECTORY ? ' (no code cache yet: it writes the one the others start with)' : ''}: to the first poll; CPU time`, `${firstStart.ms.toFixed(0)} ms; ${firstStart.cpuMs.toFixed(0)} ms`);
  const { idle } = r;
  const total = idle.fastPolls + settlePolls;
  row(`RSS after start, idle (${WARMUP_POLLS + idle.slowPolls} polls at 1 s)`, `${idle.start.rssMb.toFixed(1)} MB`, `≤ 60 MB: ${check(idle.start.rssMb <= 60)}`);
  row(`RSS during ${idle.fastPolls} fast polls (quarters)`, `${idle.quarters.map((s) => s.rssMb.toFixed(1)).join(', ')} MB`);
  row(`RSS after ${total} more polls (${idle.fastPolls} fast, then ${settlePolls} at 1 s)`, `${idle.settled.rssMb.toFixed(1)} MB`);
  row(`RSS growth over ${total} polls`, `${rssGrowth(idle).toFixed(1)} MB`, `≤ 2 MB: ${check(rssGrowth(idle) <= 2)}`);
  row(`CPU per idle poll (${idle.fastPolls} polls, sleep shortened to ${fastPollMs} ms)`, `${cpuPerFastPoll(idle).toFixed(2)} ms`, `≤ 2 ms: ${check(cpuPerFastPoll(idle) <= 2)}`);
  row(`CPU per idle poll (${idle.slowPolls} polls at the real 1 s interval, after ${idle.warmupPolls})`, `${cpuPerSlowPoll(idle).toFixed(2)} ms`, `≤ 2 ms: ${check(cpuPerSlowPoll(idle) <= 2)}`);
  row(`… the ${idle.warmupPolls} polls after the first, not counted (the start's garbage collected)`, `${cpuPerWarmupPoll(idle).toFixed(2)} ms per poll`);
  row(`… Node's own HTTP client, the same poll and nothing else (bench/agent/bare-poll.cjs, ${r.floor.polls} polls, sleep ${fastPollMs} ms); agent ÷ it`, `${r.floor.cpuPerPollMs.toFixed(2)} ms; ${(cpuPerFastPoll(idle) / r.floor.cpuPerPollMs).toFixed(2)}×`);
  row(`… Node's own HTTP client at the real 1 s interval (${r.slowFloor.polls} polls); agent ÷ it`, `${r.slowFloor.cpuPerPollMs.toFixed(2)} ms; ${(cpuPerSlowPoll(idle) / r.slowFloor.cpuPerPollMs).toFixed(2)}×`);
  row('open descriptors, after start → after the polls', `${idle.start.fds} → ${idle.settled.fds}`);
  row('poll failures logged by the agent', String(idle.pollFailures));
  if (r.results.length === 0) return;
  const ok = r.results.filter((u) => u.result === 'success' && u.slotVerified).length;
  row(`forced update, ${r.bundleMib.toFixed(0)} MiB bundle, real RAUC: assignment → closed (median of ${r.results.length}, ${ok} succeeded + slot verified)`, `${pick('totalS').toFixed(1)} s`);
  row('… waiting for the next poll (1 s sleep; 5 s `active_poll_interval` if the previous action was still running at the last poll)', `${pick('noticeS').toFixed(1)} s`);
  row('… deployment read → closed', `${median(r.results.map((u) => u.totalS - u.noticeS)).toFixed(1)} s`);
  row('… download + verification (first artifact request → `downloaded`)', `${pick('downloadS').toFixed(1)} s (${(r.bundleMib / pick('downloadS')).toFixed(0)} MiB/s)`);
  row('… installation (`Installing` → `closed`)', `${pick('installS').toFixed(1)} s`);
  const peak = Math.max(...r.results.map((u) => u.peakRssMb));
  row('agent CPU per update', `${pick('cpuS').toFixed(1)} s`);
  row('peak RSS during an update through real RAUC', `${peak.toFixed(0)} MB`, `≤ 100 MB: ${check(peak <= 100)}`);
}

await main();
