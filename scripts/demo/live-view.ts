/**
 * The demo's live view of one update: the action as hawkBit sees it, the agent's phase (state_dir
 * state.json) and activity with a progress bar (state_dir status.json, what `hawkbit-rauc status`
 * shows), and the server's status history. On a terminal the block is redrawn in place; otherwise
 * (pipes, CI, the test) every change is printed once as a line.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MgmtAction, MgmtActionStatus } from '../../test/e2e/hawkbit-mgmt-types.js';

export interface AgentView {
  /** Persisted lifecycle phase (`idle`, `downloading`, `installing`, …). */
  readonly phase: string;
  readonly activity: string;
  readonly progress: { readonly percent: number; readonly message: string } | undefined;
}

/** Reads the agent's state.json and status.json (both written atomically by the agent). */
export async function readAgentView(stateDir: string): Promise<AgentView> {
  const json = async (name: string): Promise<Record<string, unknown>> => {
    try {
      return JSON.parse(await readFile(join(stateDir, name), 'utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const [state, status] = await Promise.all([json('state.json'), json('status.json')]);
  const phase = (state.phase as { kind?: unknown } | undefined)?.kind;
  const progress = status.progress as AgentView['progress'] | undefined;
  return {
    phase: typeof phase === 'string' ? phase : 'starting',
    activity: typeof status.activity === 'string' ? status.activity : 'starting',
    progress: progress && typeof progress.percent === 'number' ? progress : undefined,
  };
}

export function progressBar(percent: number, width = 30): string {
  const clamped = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round((clamped / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(clamped).padStart(3)} %`;
}

export interface ViewState {
  readonly action: MgmtAction | undefined;
  /** Oldest first. */
  readonly history: readonly MgmtActionStatus[];
  readonly agent: AgentView;
}

function historyLine(entry: MgmtActionStatus): string {
  const time = entry.reportedAt === undefined ? '        ' : new Date(entry.reportedAt).toISOString().slice(11, 19);
  return `${time} ${entry.type.padEnd(9)} ${entry.messages.join(' | ')}`;
}

export class LiveView {
  #drawnLines = 0;
  #printedHistory = 0;
  #lastPhase = '';
  #lastActivity = '';
  #lastBar = -1;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly tty: boolean,
    private readonly actionId: number,
  ) {}

  update(state: ViewState): void {
    if (this.tty) this.#redraw(state);
    else this.#appendChanges(state);
  }

  #redraw(state: ViewState): void {
    const { action, agent } = state;
    const lines = [
      `action ${this.actionId}: ${action ? `${action.active ? 'open' : 'closed'}, ${action.detail}` : '…'}`,
      `agent:  phase ${agent.phase} — ${agent.activity}`,
      agent.progress ? `        ${progressBar(agent.progress.percent)} ${agent.progress.message}` : '',
      'status history (hawkBit):',
      ...state.history.slice(-12).map((entry) => `  ${historyLine(entry)}`),
    ];
    const up = this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}A` : '';
    this.out.write(`${up}\x1b[J${lines.join('\n')}\n`);
    this.#drawnLines = lines.length;
  }

  #appendChanges(state: ViewState): void {
    const { agent } = state;
    if (agent.phase !== this.#lastPhase) this.out.write(`phase: ${(this.#lastPhase = agent.phase)}\n`);
    if (agent.activity !== this.#lastActivity) this.out.write(`agent: ${(this.#lastActivity = agent.activity)}\n`);
    const percent = agent.progress?.percent;
    if (percent !== undefined && Math.floor(percent / 25) !== this.#lastBar) {
      this.#lastBar = Math.floor(percent / 25);
      this.out.write(`progress: ${progressBar(percent)} ${agent.progress?.message ?? ''}\n`);
    }
    for (const entry of state.history.slice(this.#printedHistory)) this.out.write(`hawkBit: ${historyLine(entry)}\n`);
    this.#printedHistory = state.history.length;
  }
}
