import { spawn } from 'node:child_process';
import { access, readFile, rm } from 'node:fs/promises';

export interface Measurement {
  readonly seconds: number;
  /** user + sys of the process and every child it waited for. */
  readonly cpuSeconds: number;
  /** The two parts of it: user and system (kernel) CPU. */
  readonly userSeconds: number;
  readonly sysSeconds: number;
  /** Largest peak RSS among the process and its waited-for children, MB. */
  readonly peakRssMb: number;
}

const TIME = '/usr/bin/time';

export async function requireGnuTime(): Promise<void> {
  await access(TIME).catch(() => {
    throw new Error(`${TIME} (GNU time) is needed to read the children's rusage: apt-get install time`);
  });
}

/**
 * Runs `command args` under GNU time, which reports the rusage of the command and of all the children
 * it waited for (RUSAGE_CHILDREN), and measures the wall time from spawn to exit. `env` is added to
 * this process's environment for the command.
 */
export async function measure(command: string, args: readonly string[], statsFile: string, env: Readonly<Record<string, string>> = {}): Promise<Measurement> {
  const started = performance.now();
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(TIME, ['-f', '%U %S %M', '-o', statsFile, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  const stats = (await readFile(statsFile, 'utf8')).trim().split('\n').at(-1) ?? '';
  await rm(statsFile, { force: true });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${stats}\n${output}`);
  const [user, sys, rssKb] = stats.split(' ').map(Number);
  return { seconds, cpuSeconds: (user ?? 0) + (sys ?? 0), userSeconds: user ?? 0, sysSeconds: sys ?? 0, peakRssMb: (rssKb ?? 0) / 1024 };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
