// The agent in its own process, so that its RSS, CPU time and descriptors are its own: `node dist/cli.js
// -c <config>`, or a given program (bench:agent: the device bundle as the unit starts it, see
// device-program.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { exited, tail, terminate } from '../../test/harness/process.js';
import type { AgentProgram } from './device-program.js';

/** BENCH_AGENT_CLI: the cli.js of another build (to measure a change against its base). */
export const CLI = process.env.BENCH_AGENT_CLI ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** Preload that shortens the agent's 1 s poll sleep (benchmark only; see the file). */
export const FAST_POLL = fileURLToPath(new URL('./fast-poll.cjs', import.meta.url));

/** systemd's variables would make the agent talk to a service manager that is not there. */
const DROPPED = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID', 'LISTEN_FDS', 'LISTEN_PID'];

export interface AgentProcessOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Shortens the 1 s poll sleep to `ms` via the fast-poll preload, for sleeps `from` … `from + count - 1` (default: all). */
  readonly fastPoll?: { readonly ms: number; readonly from?: number; readonly count?: number };
  /** Extra arguments for node, e.g. `--cpu-prof` (BENCH_AGENT_NODE_ARGS). */
  readonly nodeArgs?: readonly string[];
  /** A program that runs node as its child, e.g. `['strace', '-f', …]`; stop() then signals node itself. */
  readonly wrapper?: readonly string[];
  /** The script with its options and environment (default: `CLI`, none). */
  readonly program?: AgentProgram;
}

export class AgentProcess {
  /** performance.now() just before spawn. */
  readonly spawnedAt: number;
  readonly #child: ChildProcess;
  readonly #wrapped: boolean;
  readonly #output = tail(8_000);
  /** Lines matching /poll failed/ on stderr. */
  pollFailures = 0;

  private constructor(child: ChildProcess, spawnedAt: number, wrapped: boolean) {
    this.#child = child;
    this.spawnedAt = spawnedAt;
    this.#wrapped = wrapped;
    const onData = (chunk: Buffer) => {
      this.#output.push(chunk);
      this.pollFailures += chunk.toString().split('poll failed').length - 1;
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  }

  static start(configFile: string, options: AgentProcessOptions = {}): AgentProcess {
    const program = options.program;
    const env: NodeJS.ProcessEnv = { ...process.env, ...program?.env, ...options.env };
    for (const name of DROPPED) delete env[name];
    const fast = options.fastPoll;
    const preload = fast === undefined ? [] : ['--require', FAST_POLL];
    if (fast) Object.assign(env, { BENCH_POLL_MS: String(fast.ms), BENCH_POLL_FAST_FROM: String(fast.from ?? 0), BENCH_POLL_FAST_COUNT: String(fast.count ?? 'Infinity') });
    const spawnedAt = performance.now();
    const args = [...(options.nodeArgs ?? []), ...preload, program?.cli ?? CLI, ...(program?.args ?? []), '-c', configFile];
    const [wrapper, ...wrapperArgs] = options.wrapper ?? [];
    const child = wrapper ? spawn(wrapper, [...wrapperArgs, process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new AgentProcess(child, spawnedAt, wrapper !== undefined);
  }

  /** The spawned process: node, or the wrapper (see `agentPid`). */
  get pid(): number {
    if (this.#child.pid === undefined) throw new Error(`the agent did not start:\n${this.#output.text}`);
    return this.#child.pid;
  }

  /** Node's pid: the spawned process, or the wrapper's (first) child. */
  async agentPid(): Promise<number> {
    if (!this.#wrapped) return this.pid;
    const children = await readFile(`/proc/${this.pid}/task/${this.pid}/children`, 'utf8').catch(() => '');
    const first = Number(children.trim().split(' ')[0]);
    if (!first) throw new Error(`no child of the wrapper (pid ${this.pid}) yet:\n${this.#output.text}`);
    return first;
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

  /** SIGTERM (SIGKILL after 10 s); resolves with the exit code or signal. Wrapped: SIGTERM to node, the wrapper ends with it. */
  async stop(): Promise<number | string | undefined> {
    if (this.#wrapped && this.exit === undefined) {
      const pid = await this.agentPid().catch(() => undefined);
      if (pid !== undefined) {
        process.kill(pid, 'SIGTERM');
        const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
        await this.exited().finally(() => clearTimeout(timer));
      }
    }
    await terminate(this.#child, 10_000);
    return this.exit;
  }
}
