// The agent's file-system writes as the kernel saw them: strace runs node (a child process) and logs the
// write, sync, open and rename calls of every thread, each with the path behind its descriptor (-y), so
// the bench counts what the process did, not what the code meant to do.
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Everything that writes file data, forces it out, or replaces a file. */
const CALLS = [
  'write', 'pwrite64', 'writev', 'pwritev', 'pwritev2', 'fsync', 'fdatasync', 'sync_file_range', 'syncfs', 'sync', 'msync',
  'open', 'openat', 'openat2', 'creat', 'rename', 'renameat', 'renameat2', 'ftruncate', 'truncate', 'fallocate', 'copy_file_range', 'sendfile',
];
const SYNC_CALLS = new Set(['fsync', 'fdatasync', 'sync_file_range', 'syncfs', 'sync', 'msync']);
const WRITE_CALLS = new Set(['write', 'pwrite64', 'writev', 'pwritev', 'pwritev2', 'copy_file_range', 'sendfile']);
/** Content of a write is logged up to this many bytes (the state file must fit: its JSON tells the phase). */
const STRING_LIMIT = 65_536;

/** `strace -V`'s first line, or undefined when strace is not installed (or cannot trace here). */
export function straceVersion(): string | undefined {
  const probe = spawnSync('strace', ['-qq', '-e', 'trace=none', 'true'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  return spawnSync('strace', ['-V'], { encoding: 'utf8' }).stdout.split('\n')[0];
}

/** The wrapper for AgentProcess: one log file per thread (`<prefix>.<tid>`), so no call is split in two. */
export function straceWrapper(prefix: string): string[] {
  return ['strace', '-f', '-ff', '-qq', '-ttt', '-y', '-s', String(STRING_LIMIT), '--seccomp-bpf', '-e', `trace=${CALLS.join(',')}`, '-o', prefix];
}

export interface FileEvent {
  /** Epoch ms (strace -ttt). */
  readonly at: number;
  readonly kind: 'sync' | 'write' | 'syncOpen' | 'rename';
  readonly call: string;
  /** The file written or synced; for a rename, the new name. */
  readonly path: string;
  /** Bytes written (write calls). */
  readonly bytes: number;
  /** What was written, when strace logged all of it (write calls). */
  readonly data?: Buffer;
  /** For a rename: the old name. */
  readonly from?: string;
}

/** Reads every `<prefix>.<tid>` file and returns the file events in time order. */
export async function readTrace(prefix: string): Promise<FileEvent[]> {
  const dir = dirname(prefix);
  const files = (await readdir(dir)).filter((name) => name.startsWith(`${basename(prefix)}.`));
  const events: FileEvent[] = [];
  for (const name of files) {
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
      const event = parseLine(line);
      if (event) events.push(event);
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

const LINE = /^(\d+\.\d+) (\w+)\((.*)\) += (-?\d+)/;
/** A descriptor as -y prints it: `17</path/to/file>` (sockets and pipes have no leading slash). */
const FD = /^(\d+|AT_FDCWD)<([^>]*)>/;

export function parseLine(line: string): FileEvent | undefined {
  const match = LINE.exec(line);
  if (!match) return undefined;
  const [, time, call, args, result] = match as unknown as [string, string, string, string, string];
  const at = Number(time) * 1000;
  const ret = Number(result);
  if (ret < 0) return undefined;
  if (SYNC_CALLS.has(call)) return { at, kind: 'sync', call, path: FD.exec(args)?.[2] ?? '(all file systems)', bytes: 0 };
  if (WRITE_CALLS.has(call)) {
    const fd = FD.exec(call === 'copy_file_range' || call === 'sendfile' ? args.replace(/^[^,]*, /, '') : args);
    if (!fd) return undefined;
    const text = /^[^,]*, "((?:[^"\\]|\\.)*)"(\.\.\.)?/.exec(args);
    const data = call === 'write' || call === 'pwrite64' ? (text && !text[2] ? unescape(text[1] ?? '') : undefined) : undefined;
    return { at, kind: 'write', call, path: fd[2] ?? '', bytes: ret, ...(data && data.length === ret ? { data } : {}) };
  }
  if (call === 'open' || call === 'openat' || call === 'openat2' || call === 'creat') {
    // The result is the new descriptor, with its path (-y).
    const opened = /= \d+<([^>]*)>/.exec(line)?.[1];
    if (opened && /O_(D)?SYNC/.test(args)) return { at, kind: 'syncOpen', call, path: opened, bytes: 0 };
    return undefined;
  }
  if (call.startsWith('rename')) {
    const names = [...args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => unescape(m[1] ?? '').toString());
    const [from, to] = names;
    if (from === undefined || to === undefined) return undefined;
    return { at, kind: 'rename', call, path: to, from, bytes: 0 };
  }
  return undefined;
}

/** strace's C-style string escapes (\n, \", \\, \ooo octal, \xHH) back to the bytes. */
function unescape(text: string): Buffer {
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8, '"': 34, '\\': 92, "'": 39 };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = text[i + 1] ?? '';
    if (next === 'x') {
      bytes.push(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1))?.[0] ?? '0';
      bytes.push(Number.parseInt(octal, 8));
      i += octal.length;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes);
}
