// Reads one process's CPU time, memory and open descriptors from /proc (Linux), for the benchmarks.
import { execFileSync } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { loadavg } from 'node:os';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface ProcSample {
  /** user + system CPU time of the process (all its threads), ms. */
  readonly cpuMs: number;
  /** Resident set size now, MB (1e6 bytes). */
  readonly rssMb: number;
  /** Peak resident set size (VmHWM), MB. */
  readonly peakRssMb: number;
  /** Open file descriptors. */
  readonly fds: number;
  /** CPU time of each live thread (tid → ns, /proc/<pid>/task/<tid>/schedstat), for `cpuMsBetween`. */
  readonly threadCpuNs: ReadonlyMap<number, number>;
}

export async function sample(pid: number): Promise<ProcSample> {
  const [stat, status, fds, threadCpuNs] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8'), readdir(`/proc/${pid}/fd`), threadTimes(pid)]);
  // Fields after the command name, which is in parentheses and may contain spaces: utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssMb: statusKb(status, 'VmRSS') / 1000, peakRssMb: statusKb(status, 'VmHWM') / 1000, fds: fds.length, threadCpuNs };
}

/** Each live thread's time on a CPU so far, ns (the first field of schedstat); empty where the kernel has none. */
async function threadTimes(pid: number): Promise<Map<number, number>> {
  const times = new Map<number, number>();
  const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  await Promise.all(
    tids.map(async (tid) => {
      const text = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => undefined);
      const ns = Number(text?.split(' ')[0]);
      if (Number.isFinite(ns)) times.set(Number(tid), ns);
    }),
  );
  return times;
}

/**
 * The process's CPU time between two samples, ms. From the threads' nanosecond counters when every
 * thread of `before` is still there in `after` (a thread that ended took its time with it): the clock
 * ticks of /proc/<pid>/stat are 10 ms, ±0.33 ms per poll over 30 polls. Otherwise from the ticks.
 */
export function cpuMsBetween(before: ProcSample, after: ProcSample): number {
  const kept = before.threadCpuNs.size > 0 && [...before.threadCpuNs.keys()].every((tid) => after.threadCpuNs.has(tid));
  if (!kept) return after.cpuMs - before.cpuMs;
  let ns = 0;
  for (const [tid, time] of after.threadCpuNs) ns += time - (before.threadCpuNs.get(tid) ?? 0);
  return ns / 1e6;
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1.024 : Number.NaN;
}

/** Open descriptors by kind (`socket`, `pipe`, `anon_inode:[eventfd]`, files by path), for spotting a leak. */
export async function describeFds(pid: number): Promise<Map<string, number>> {
  const kinds = new Map<string, number>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => 'gone');
    const kind = target.replace(/:\[\d+\]$/, '').replace(/^\/.*/, 'file');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return kinds;
}

export function formatFds(kinds: Map<string, number>): string {
  return [...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]) => `${kind} ${count}`).join(', ');
}

/** "1.23 0.98 0.70" */
export function loadAverage(): string {
  return loadavg().map((value) => value.toFixed(2)).join(' ');
}
