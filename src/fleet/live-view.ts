import type { Writable } from 'node:stream';
import { sanitizeForTerminal } from '../lib/sanitize.js';
import { formatBytes, seconds, timeSpread, type FleetCounters } from './report.js';
import type { Lane } from './request-gate.js';

/** The phases in lifecycle order, as the live view counts them. */
const PHASES = ['idle', 'confirming', 'downloading', 'downloaded', 'installing', 'rebootPending', 'verifying', 'reporting', 'cleanup'] as const;

export interface ViewInput extends FleetCounters {
  readonly title: string;
  readonly elapsedMs: number;
  /** Download bytes per second over the last view interval. */
  readonly rate: number;
  readonly bytes: number;
}

/** The live view's lines: devices per phase, results, download throughput, requests and the server's answers, the latest errors. */
export function viewLines(input: ViewInput, width: number, rows: number): string[] {
  const { records, lanes } = input;
  const count = new Map<string, number>();
  for (const record of records) count.set(record.phase, (count.get(record.phase) ?? 0) + 1);
  const phases = [...PHASES, ...[...count.keys()].filter((phase) => !(PHASES as readonly string[]).includes(phase))]
    .filter((phase) => phase === 'idle' || count.has(phase))
    .map((phase) => `${phase} ${count.get(phase) ?? 0}`);
  const closed = records.filter((record) => record.closedAt !== undefined);
  const success = closed.filter((record) => record.result === 'success').length;
  const times = timeSpread(records);
  const lane = (name: Lane) => {
    const snapshot = lanes[name];
    const paused = snapshot.pausedUntil > Date.now() ? ` · paused ${seconds(snapshot.pausedUntil - Date.now())} (429)` : '';
    return `${name.padEnd(10)} ${snapshot.running} running · ${snapshot.queued} queued · ${snapshot.started} sent${snapshot.throttled > 0 ? ` · ${snapshot.throttled} × 429` : ''}${paused}`;
  };
  const answers = Object.entries(input.answers).sort(([a], [b]) => Number(a) - Number(b)).map(([status, n]) => `${status} ×${n}`).join(' · ');
  const errors = records
    .filter((record) => record.lastError !== undefined || record.result === 'failure')
    .slice(-Math.max(0, rows - 12))
    .map((record) => `  ${record.id}: ${record.result === 'failure' && record.closedAt !== undefined ? `failure: ${record.details ?? ''}` : record.lastError}`);
  const minutes = Math.floor(input.elapsedMs / 60_000);
  const secs = Math.floor((input.elapsedMs % 60_000) / 1000);
  const lines = [
    `${input.title}   ${minutes}:${String(secs).padStart(2, '0')}`,
    `phases     ${phases.join(' · ')}`,
    `closed     ${closed.length} of ${records.length}: ${success} success · ${closed.length - success} failure${input.rolledBack > 0 ? ` · ${input.rolledBack} rollbacks simulated` : ''}`,
    `to closed  p50 ${seconds(times.p50)} · p95 ${seconds(times.p95)} · max ${seconds(times.max)}`,
    `throughput ${formatBytes(input.rate)}/s · ${formatBytes(input.bytes)} downloaded in all`,
    lane('read'),
    lane('download'),
    lane('write'),
    `server     ${answers || 'no answer yet'}`,
    errors.length > 0 ? 'errors (latest per device):' : 'errors     none',
    ...errors,
  ];
  return lines.map((line) => truncate(sanitizeForTerminal(line, { singleLine: true }), Math.max(10, width - 1))).slice(0, rows);
}

function truncate(line: string, width: number): string {
  const chars = Array.from(line);
  return chars.length <= width ? line : `${chars.slice(0, width - 1).join('')}…`;
}

const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l'; // alternate screen, cursor hidden
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';
const HOME = '\x1b[H';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_SCREEN_END = '\x1b[J';

/**
 * Draws the view: on a terminal in the alternate screen, redrawn in place from the top-left corner
 * (nothing reaches the scrollback); elsewhere (a pipe, CI) one line every `plainEveryMs`. Hand-written,
 * as the demo's view: five escape sequences do not need a terminal library.
 */
export class LiveView {
  #entered = false;
  #lastPlain = 0;
  readonly #terminal: boolean;
  readonly #plainEveryMs: number;

  /** `terminal` false: plain lines even on a terminal (default: whether `out` is one). */
  constructor(
    private readonly out: Writable & { isTTY?: boolean; columns?: number; rows?: number },
    options: { terminal?: boolean; plainEveryMs?: number } = {},
  ) {
    this.#terminal = options.terminal ?? out.isTTY === true;
    this.#plainEveryMs = options.plainEveryMs ?? 5000;
  }

  draw(input: ViewInput): void {
    if (this.#terminal) {
      if (!this.#entered) this.out.write(ENTER_SCREEN);
      this.#entered = true;
      const lines = viewLines(input, this.out.columns ?? 80, this.out.rows ?? 24);
      this.out.write(`${HOME}${lines.map((line) => `${line}${CLEAR_LINE_END}`).join('\n')}${CLEAR_SCREEN_END}`);
      return;
    }
    const now = Date.now();
    if (now - this.#lastPlain < this.#plainEveryMs) return;
    this.#lastPlain = now;
    const [, phases, closed] = viewLines(input, 400, 3);
    this.out.write(`fleet ${Math.round(input.elapsedMs / 1000)} s: ${phases!.replace(/^phases\s+/, '')}; ${closed!.replace(/^closed\s+/, 'closed ')}\n`);
  }

  /** Back to the normal screen (the report follows there). */
  finish(): void {
    if (this.#entered) this.out.write(LEAVE_SCREEN);
    this.#entered = false;
  }
}
