// The agent as the device runs it: `node dist/cli.js -c <config>` in its own process, so that its RSS,
// CPU time and descriptors are its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exited, tail, terminate } from '../../test/harness/process.js';

/** BENCH_AGENT_CLI: the cli.js of another build (to measure a change against its base). */
export const CLI = process.env.BENCH_AGENT_CLI ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** Preload that shortens the agent's 1 s poll sleep (benchmark only; see the file). */
export const FAST_POLL = fileURLToPath(new URL('./fast-poll.mjs', import.meta.url));

/** systemd's variables would make the agent talk to a service manager that is not there. */
const DROPPED = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID', 'LISTEN_FDS', 'LISTEN_PID'];

export interface AgentProcessOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Shortens the 1 s poll sleep to `ms` via the fast-poll preload, for sleeps `from` … `from + count - 1` (default: all). */
  readonly fastPoll?: { readonly ms: number; readonly from?: number; readonly count?: number };
  /** Extra arguments for node, e.g. `--cpu-prof` (BENCH_AGENT_NODE_ARGS). */
  readonly nodeArgs?: readonly string[];
}

export class AgentProcess {
  /** performance.now() just before spawn. */
  readonly spawnedAt: number;
  readonly #child: ChildProcess;
  readonly #output = tail(8_000);
  /** Lines matching /poll failed/ on stderr. */
  pollFailures = 0;

  private constructor(child: ChildProcess, spawnedAt: number) {
    this.#child = child;
    this.spawnedAt = spawnedAt;
    const onData = (chunk: Buffer) => {
      this.#output.push(chunk);
      this.pollFailures += chunk.toString().split('poll failed').length - 1;
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  }

  static start(configFile: string, options: AgentProcessOptions = {}): AgentProcess {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    for (const name of DROPPED) delete env[name];
    const fast = options.fastPoll;
    const preload = fast === undefined ? [] : ['--import', FAST_POLL];
    if (fast) Object.assign(env, { BENCH_POLL_MS: String(fast.ms), BENCH_POLL_FAST_FROM: String(fast.from ?? 0), BENCH_POLL_FAST_COUNT: String(fast.count ?? 'Infinity') });
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...preload, CLI, '-c', configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new AgentProcess(child, spawnedAt);
  }

  get pid(): number {
    if (this.#child.pid === undefined) throw new Error(`the agent did not start:\n${this.#output.text}`);
    return this.#child.pid;
  }

  /** Exit code, or the signal's name; undefined while running. */
  get exit(): number | string | undefined {
    return this.#child.exitCode ?? this.#child.signalCode ?? undefined;
  }

  /** The last lines the agent wrote. */
  get output(): string {
    return this.#output.text;
  }

  /** Resolves when the agent exits, whyever. */
  exited(): Promise<void> {
    return exited(this.#child);
  }

  /** SIGTERM (SIGKILL after 10 s); resolves with the exit code or signal. */
  async stop(): Promise<number | string | undefined> {
    await terminate(this.#child, 10_000);
    return this.exit;
  }
}
