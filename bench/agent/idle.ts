// Start-up time and the cost of idle polls, measured on the agent as a child process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { AgentProcess } from './agent-process.js';
import type { Fixture } from './fixture.js';
import { sample, type ProcSample } from './proc-stats.js';

export interface StartFigures {
  /** Spawn → first GET of the controller base at the server, ms, one per start. */
  readonly firstPollMs: readonly number[];
  /** Spawn → exit of `node -e 0`, ms: what Node itself costs on this machine now. */
  readonly bareNodeMs: readonly number[];
}

/** `runs` starts of the agent (one more first, as warm-up of the page cache, not counted). */
export async function measureStarts(fixture: Fixture, runs: number, env: Readonly<Record<string, string>>): Promise<StartFigures> {
  const firstPollMs: number[] = [];
  const bareNodeMs: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const bareStarted = performance.now();
    await once(spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }), 'exit');
    const bare = performance.now() - bareStarted;
    const firstPoll = fixture.next((request) => fixture.isPoll(request), 30_000);
    const agent = AgentProcess.start(fixture.configFile, { env });
    const arrived = await Promise.race([firstPoll, agent.exited().then(() => Promise.reject(new Error(`the agent exited (${agent.exit}):\n${agent.output}`)))]);
    await agent.stop();
    if (run === 0) continue;
    firstPollMs.push(arrived.at - agent.spawnedAt);
    bareNodeMs.push(bare);
  }
  return { firstPollMs, bareNodeMs };
}

export interface PollFigures {
  readonly polls: number;
  readonly seconds: number;
  readonly first: ProcSample;
  /** Samples after each quarter of the polls. */
  readonly samples: readonly ProcSample[];
  readonly pollFailures: number;
}

/**
 * Lets the agent poll `polls` times after `warmup` polls and samples /proc at the start and after each
 * quarter. With `fastPollMs` the agent's 1 s sleep is shortened by the fast-poll preload.
 */
export async function measurePolls(
  fixture: Fixture,
  options: { polls: number; warmup: number; fastPollMs?: number; env: Readonly<Record<string, string>>; nodeArgs?: readonly string[] },
): Promise<PollFigures> {
  fixture.resetPolls();
  const agent = AgentProcess.start(fixture.configFile, { env: options.env, nodeArgs: options.nodeArgs ?? [], ...(options.fastPollMs === undefined ? {} : { fastPollMs: options.fastPollMs }) });
  try {
    const timeoutMs = 60_000 + options.polls * (options.fastPollMs === undefined ? 3_000 : 500);
    const crashed = agent.exited().then(() => Promise.reject(new Error(`the agent exited (${agent.exit}):\n${agent.output}`)));
    const at = (count: number) => Promise.race([fixture.poll(count, timeoutMs), crashed]);
    const start = await at(options.warmup);
    const first = await sample(agent.pid);
    const samples: ProcSample[] = [];
    let end = start;
    for (let quarter = 1; quarter <= 4; quarter++) {
      end = await at(options.warmup + Math.round((options.polls * quarter) / 4));
      samples.push(await sample(agent.pid));
    }
    return { polls: options.polls, seconds: (end.at - start.at) / 1000, first, samples, pollFailures: agent.pollFailures };
  } finally {
    await agent.stop();
  }
}
