/**
 * The demo's live view as lines that fit a terminal: every line at most `columns - 1` wide (a line
 * that reaches the last column would wrap or lose its last character under the erase that follows
 * it), history messages wrapped at word boundaries, and at most `rows` lines, newest history first.
 * Server-provided text (status types, messages) is sanitised: escape sequences never reach the screen.
 */
import { sanitizeForTerminal } from '../../src/lib/sanitize.js';
import type { MgmtAction, MgmtActionStatus } from '../../test/e2e/hawkbit-mgmt-types.js';

export interface AgentView {
  /** Persisted lifecycle phase (`idle`, `downloading`, `installing`, …). */
  readonly phase: string;
  readonly activity: string;
  readonly progress: { readonly percent: number; readonly message: string } | undefined;
}

export interface ViewState {
  readonly action: MgmtAction | undefined;
  /** Oldest first. */
  readonly history: readonly MgmtActionStatus[];
  readonly agent: AgentView;
}

export interface FrameOptions {
  readonly actionId: number;
  /** First line (e.g. which target on which server), if any. */
  readonly title?: string;
  readonly columns: number;
  /** Most lines the frame may have; unbounded when absent (the final frame, printed once). */
  readonly rows?: number;
}

/** Width of the time and type columns of a history line: `HH:MM:SS type      `. */
const HISTORY_INDENT = 2 + 9 + 10;

/** Server text as one safe line. */
export function clean(text: unknown): string {
  return sanitizeForTerminal(text, { singleLine: true });
}

export function progressBar(percent: number, width = 30): string {
  const clamped = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round((clamped / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(clamped).padStart(3)} %`;
}

/** One history entry on one line: `HH:MM:SS type      message | message`. */
export function historyLine(entry: MgmtActionStatus): string {
  const time = entry.reportedAt === undefined ? '        ' : new Date(entry.reportedAt).toISOString().slice(11, 19);
  return `${time} ${clean(entry.type).padEnd(9)} ${entry.messages.map(clean).join(' | ')}`;
}

/** Cuts `line` to `width` code points, the last one an ellipsis when something was cut. */
export function truncate(line: string, width: number): string {
  const chars = Array.from(line);
  return chars.length <= width ? line : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/**
 * Wraps `text` to lines of at most `width` code points at spaces (a word longer than a line is cut),
 * continuation lines indented by `indent` spaces.
 */
export function wrap(text: string, width: number, indent: number): string[] {
  const pad = ' '.repeat(indent < width / 2 ? indent : 2);
  const lines: string[] = [];
  const lead = /^ */.exec(text)![0];
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    const candidate = line === lead ? `${lead}${word}` : `${line} ${word}`;
    if (Array.from(candidate).length <= width) {
      line = candidate;
      continue;
    }
    if (line.trim() !== '') lines.push(line);
    let rest = `${pad}${word}`;
    while (Array.from(rest).length > width) {
      const chars = Array.from(rest);
      lines.push(chars.slice(0, width).join(''));
      rest = `${pad}${chars.slice(width).join('')}`;
    }
    line = rest;
  }
  if (line.trim() !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** The view's lines for a terminal of `columns` × `rows`. */
export function frameLines(state: ViewState, options: FrameOptions): string[] {
  const width = Math.max(10, options.columns - 1);
  const { action, agent } = state;
  const progress = agent.progress ? `        ${progressBar(agent.progress.percent)} ${clean(agent.progress.message)}` : '';
  const head = [
    ...(options.title === undefined ? [] : [options.title]),
    `action ${options.actionId}: ${action ? `${action.active ? 'open' : 'closed'}, ${clean(action.detail)}` : '…'}`,
    `agent:  phase ${clean(agent.phase)} — ${clean(agent.activity)}`,
    progress,
  ].map((line) => truncate(line, width));
  const entries = state.history.map((entry) => wrap(`  ${historyLine(entry)}`, width, HISTORY_INDENT));
  const rows = options.rows ?? Number.POSITIVE_INFINITY;
  // Newest entries first into the rows left after the head and the history's title; the newest one
  // is shown (cut) even when it alone does not fit.
  let room = rows - head.length - 1;
  const shown: string[][] = [];
  for (let index = entries.length - 1; index >= 0; index--) {
    const lines = entries[index]!;
    if (lines.length > room && shown.length > 0) break;
    shown.unshift(lines.slice(0, Math.max(1, room)));
    room -= lines.length;
  }
  const hidden = entries.length - shown.length;
  const title = hidden > 0 ? `status history (hawkBit), last ${shown.length} of ${entries.length}:` : 'status history (hawkBit):';
  return [...head, truncate(title, width), ...shown.flat()].slice(0, rows);
}
