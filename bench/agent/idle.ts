// Start-up time and the cost of idle polls, measured on the agent as a child process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { AgentProcess } from './agent-process.js';
import type { AgentProgram } from './device-program.js';
import type { Fixture } from './fixture.js';
import { exited, terminate } from '../../test/harness/process.js';
import { cpuMsBetween, sample, type ProcSample } from './proc-stats.js';

export interface StartFigures {
  /** Spawn → first GET of the controller base at the server, ms, one per start. */
  readonly firstPollMs: readonly number[];
  /** CPU time (user + system, all threads) the agent had used when its first poll arrived (read just after), ms, one per start. */
  readonly firstPollCpuMs: readonly number[];
  /** Spawn → exit of a bare Node (`node -e`, one statement), ms: what Node itself costs on this machine now. */
  readonly bareNodeMs: readonly number[];
  /** CPU time of a bare Node (`node -e`, one statement that reads it), ms. */
  readonly bareNodeCpuMs: readonly number[];
  /** The uncounted first start: spawn → first poll and its CPU time, ms. Under the unit's settings it had no code cache yet (it writes it). */
  readonly firstStart: { readonly ms: number; readonly cpuMs: number };
}

const BARE_NODE = 'const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000))';

/**
 * `runs` starts of the agent, after one more that is not counted: it warms the page cache and, under the
 * unit's settings (CACHE_DIRECTORY), writes the code cache the others start with, as a device's first
 * start does for the ones after it (docs/deploying.md › Code cache).
 */
export async function measureStarts(fixture: Fixture, runs: number, env: Readonly<Record<string, string>>, program?: AgentProgram): Promise<StartFigures> {
  const firstPollMs: number[] = [];
  const firstPollCpuMs: number[] = [];
  const bareNodeMs: number[] = [];
  const bareNodeCpuMs: number[] = [];
  let firstStart = { ms: Number.NaN, cpuMs: Number.NaN };
  for (let run = 0; run <= runs; run++) {
    const bareStarted = performance.now();
    // A bare Node that prints the CPU time it used, at its only statement.
    const bareNode = spawn(process.execPath, ['-e', BARE_NODE], { stdio: ['ignore', 'pipe', 'ignore'] });
    let bareOutput = '';
    bareNode.stdout.on('data', (chunk: Buffer) => (bareOutput += chunk.toString()));
    await once(bareNode, 'exit');
    const bare = performance.now() - bareStarted;
    const bareCpu = Number(bareOutput);
    const firstPoll = fixture.next((request) => fixture.isPoll(request), 30_000);
    const agent = AgentProcess.start(fixture.configFile, { env, ...(program ? { program } : {}) });
    const arrived = await Promise.race([firstPoll, agent.exited().then(() => Promise.reject(new Error(`the agent exited (${agent.exit}):\n${agent.output}`)))]);
    const atFirstPoll = await sample(agent.pid);
    await agent.stop();
    if (run === 0) {
      firstStart = { ms: arrived.at - agent.spawnedAt, cpuMs: atFirstPoll.cpuMs };
      continue;
    }
    firstPollMs.push(arrived.at - agent.spawnedAt);
    firstPollCpuMs.push(atFirstPoll.cpuMs);
    bareNodeMs.push(bare);
    bareNodeCpuMs.push(bareCpu);
  }
  return { firstPollMs, firstPollCpuMs, bareNodeMs, bareNodeCpuMs, firstStart };
}

export interface PollFigures {
  /** Polls at the real 1 s interval measured after the warm-up. */
  readonly slowPolls: number;
  /** Polls at the shortened sleep. */
  readonly fastPolls: number;
  readonly fastSeconds: number;
  /** At the first poll: start of the warm-up stretch. */
  readonly first: ProcSample;
  readonly warmupPolls: number;
  /** After the warm-up polls: start of the slow stretch. */
  readonly warm: ProcSample;
  /** After the slow stretch (the "after start" RSS): start of the fast stretch. */
  readonly start: ProcSample;
  /** During the fast stretch: after each quarter of it. */
  readonly quarters: readonly ProcSample[];
  /** After the settle polls at the real interval that follow the fast stretch (the "after" RSS). */
  readonly settled: ProcSample;
  readonly pollFailures: number;
}

/**
 * One agent, polling the fake: `warmup` then `slow` polls at the real 1 s interval (CPU per poll at
 * 1 s over the `slow` ones, and over the warm-up from the first poll on; the "after start" sample),
 * `fast` polls with the sleep shortened to `fastMs` (CPU per poll, RSS by quarter), then `settle` polls
 * at 1 s again before the final sample, so that both RSS samples are taken in the same regime (polling
 * once a second, V8's idle-time GC had its chance) and the timeout timers of the fast polls (60 s) have
 * fired.
 */
export async function measurePolls(
  fixture: Fixture,
  options: { warmup: number; slow: number; fast: number; fastMs: number; settle: number; env: Readonly<Record<string, string>>; nodeArgs?: readonly string[]; program?: AgentProgram },
): Promise<PollFigures> {
  fixture.resetPolls();
  // Poll k follows sleep k - 1: polls 1 … warmup + slow + 1 come at 1 s, then `fast` quick ones.
  const first = options.warmup + options.slow + 1;
  const agent = AgentProcess.start(fixture.configFile, { env: options.env, nodeArgs: options.nodeArgs ?? [], ...(options.program ? { program: options.program } : {}), fastPoll: { ms: options.fastMs, from: first - 1, count: options.fast } });
  try {
    const crashed = agent.exited().then(() => Promise.reject(new Error(`the agent exited (${agent.exit}):\n${agent.output}`)));
    const at = (count: number, timeoutMs: number) => Promise.race([fixture.poll(count, timeoutMs), crashed]);
    const slowTimeout = (polls: number) => 60_000 + polls * 3_000;
    await at(1, slowTimeout(0));
    const firstSample = await sample(agent.pid);
    await at(options.warmup + 1, slowTimeout(options.warmup));
    const warm = await sample(agent.pid);
    const fastStart = await at(first, slowTimeout(options.slow));
    const start = await sample(agent.pid);
    const quarters: ProcSample[] = [];
    let fastEnd = fastStart;
    for (let quarter = 1; quarter <= 4; quarter++) {
      fastEnd = await at(first + Math.round((options.fast * quarter) / 4), 60_000 + options.fast * 500);
      quarters.push(await sample(agent.pid));
    }
    await at(first + options.fast + options.settle, slowTimeout(options.settle));
    const settled = await sample(agent.pid);
    return { slowPolls: options.slow, fastPolls: options.fast, fastSeconds: (fastEnd.at - fastStart.at) / 1000, first: firstSample, warmupPolls: options.warmup, warm, start, quarters, settled, pollFailures: agent.pollFailures };
  } finally {
    await agent.stop();
  }
}

export interface FloorFigures {
  readonly polls: number;
  /** CPU time (all threads) per poll of bare-poll.cjs, ms. */
  readonly cpuPerPollMs: number;
}

/**
 * Node's own floor for an idle poll on this machine now: bare-poll.cjs (Node's HTTP client and nothing
 * else) polling the same fake every `fastMs` (also 1000: the real interval), under the node options and
 * environment the agent gets (the unit's NODE_OPTIONS, and `nodeArgs`), CPU per poll over `polls` after
 * `warmup` (default 100) not counted.
 */
export async function measureFloor(fixture: Fixture, options: { polls: number; fastMs: number; warmup?: number; env: Readonly<Record<string, string>>; nodeArgs: readonly string[] }): Promise<FloorFigures> {
  const warmup = options.warmup ?? 100;
  fixture.resetPolls();
  const script = fileURLToPath(new URL('./bare-poll.cjs', import.meta.url));
  const child = spawn(process.execPath, [...options.nodeArgs, script, fixture.pollUrl, fixture.token], { env: { ...process.env, ...options.env, BENCH_POLL_MS: String(options.fastMs) }, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const crashed = exited(child).then(() => Promise.reject(new Error(`bare-poll.cjs exited (${child.exitCode ?? child.signalCode})`)));
    crashed.catch(() => undefined); // the kill below ends it too
    await Promise.race([fixture.poll(warmup, 60_000 + warmup * options.fastMs), crashed]);
    const before = await sample(child.pid!);
    await Promise.race([fixture.poll(warmup + options.polls, 60_000 + options.polls * (options.fastMs + 500)), crashed]);
    const after = await sample(child.pid!);
    return { polls: options.polls, cpuPerPollMs: cpuMsBetween(before, after) / options.polls };
  } finally {
    await terminate(child, 5_000);
  }
}
