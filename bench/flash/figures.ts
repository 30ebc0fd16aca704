// Sums the traced file events of a time window: fsyncs and bytes in state_dir (by file), files replaced,
// state-file writes and how many of them changed the phase (read from the JSON the agent wrote).
import { basename } from 'node:path';
import type { FileEvent } from './strace.js';

export interface Window {
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
}

export interface StateWrite {
  readonly at: number;
  /** The phase written, or undefined when the content was not logged whole. */
  readonly kind: string | undefined;
  /** A transition (another phase, or the same one entered again: its visit count changed), not an update of the same phase. */
  readonly phaseChange: boolean;
}

export interface FlashFigures {
  /** fsync, fdatasync, sync_file_range, msync of files in state_dir (and the directory); sync and syncfs anywhere. */
  readonly fsyncs: number;
  readonly fsyncsByFile: ReadonlyMap<string, number>;
  /** Files opened in state_dir with O_SYNC or O_DSYNC (each later write is a sync). */
  readonly syncOpens: number;
  readonly bytes: number;
  readonly bytesByFile: ReadonlyMap<string, number>;
  /** Renames onto a file in state_dir (each replaces a file: a new inode, directory entry and data block). */
  readonly replaced: number;
  readonly replacedByFile: ReadonlyMap<string, number>;
  readonly stateWrites: readonly StateWrite[];
  /** The same outside state_dir, files only (the bundle): bytes, fsyncs. */
  readonly outside: { readonly bytes: number; readonly fsyncs: number };
}

/** `.state.json.1234.tmp` → `state.json`: a temp file counts for the file it replaces. */
export function fileName(path: string): string {
  const name = basename(path);
  return /^\.(.+)\.\d+\.tmp$/.exec(name)?.[1] ?? name;
}

/** Every state-file write of the whole trace, in order, with whether it changed the phase. */
export function stateWrites(events: readonly FileEvent[], stateFile: string): StateWrite[] {
  const pending = new Map<string, Buffer[]>();
  const writes: StateWrite[] = [];
  let previous: { kind: string; visits: string } | undefined = { kind: 'idle', visits: '{}' };
  for (const event of events) {
    if (event.kind === 'write') {
      const parts = pending.get(event.path) ?? [];
      parts.push(event.data ?? Buffer.alloc(0));
      if (!event.data) parts.push(Buffer.from('\0')); // not logged whole: unreadable
      pending.set(event.path, parts);
    } else if (event.kind === 'rename' && event.path === stateFile && event.from) {
      const parsed = parseState(Buffer.concat(pending.get(event.from) ?? []));
      pending.delete(event.from);
      const phaseChange = parsed === undefined || previous === undefined || parsed.kind !== previous.kind || parsed.visits !== previous.visits;
      writes.push({ at: event.at, kind: parsed?.kind, phaseChange });
      previous = parsed;
    }
  }
  return writes;
}

function parseState(bytes: Buffer): { kind: string; visits: string } | undefined {
  try {
    const state = JSON.parse(bytes.toString('utf8')) as { phase?: { kind?: unknown }; visits?: unknown };
    return typeof state.phase?.kind === 'string' ? { kind: state.phase.kind, visits: JSON.stringify(state.visits ?? {}) } : undefined;
  } catch {
    return undefined;
  }
}

export function summarize(events: readonly FileEvent[], writes: readonly StateWrite[], stateDir: string, window: Window): FlashFigures {
  const inside = (path: string) => path === stateDir || path.startsWith(`${stateDir}/`);
  const isFile = (path: string) => path.startsWith('/') && !path.startsWith('/dev/') && !path.startsWith('/proc/');
  const add = (map: Map<string, number>, key: string, by: number) => map.set(key, (map.get(key) ?? 0) + by);
  const fsyncsByFile = new Map<string, number>();
  const bytesByFile = new Map<string, number>();
  const replacedByFile = new Map<string, number>();
  let syncOpens = 0;
  const outside = { bytes: 0, fsyncs: 0 };
  for (const event of events) {
    if (event.at < window.from || event.at >= window.to) continue;
    const global = event.kind === 'sync' && (event.call === 'sync' || event.call === 'syncfs');
    if (!global && !inside(event.path)) {
      if (!isFile(event.path)) continue;
      if (event.kind === 'write') outside.bytes += event.bytes;
      if (event.kind === 'sync') outside.fsyncs += 1;
      continue;
    }
    const name = event.path === stateDir ? '(state_dir itself)' : global ? `(${event.call})` : fileName(event.path);
    if (event.kind === 'sync') add(fsyncsByFile, name, 1);
    else if (event.kind === 'syncOpen') syncOpens += 1;
    else if (event.kind === 'write') add(bytesByFile, name, event.bytes);
    else if (event.kind === 'rename') add(replacedByFile, name, 1);
  }
  const sum = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);
  return {
    fsyncs: sum(fsyncsByFile),
    fsyncsByFile,
    syncOpens,
    bytes: sum(bytesByFile),
    bytesByFile,
    replaced: sum(replacedByFile),
    replacedByFile,
    stateWrites: writes.filter((write) => write.at >= window.from && write.at < window.to),
    outside,
  };
}

/** "state.json 2, status.json 14" */
export function describe(map: ReadonlyMap<string, number>, format: (value: number) => string = String): string {
  return [...map].sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => `${name} ${format(value)}`).join(', ') || 'none';
}
