/**
 * The demo's live view of one update: the action as hawkBit sees it, the agent's phase (state_dir
 * state.json) and activity with a progress bar (state_dir status.json, what `hawkbit-rauc status`
 * shows), and the server's status history.
 *
 * On a terminal the view has the alternate screen to itself while the update runs (as full-screen
 * programs do): every frame is drawn from the top-left corner, each line cut to the width and the
 * history to the height (screen-frame.ts), and redrawn at once when the terminal is resized — so no
 * frame ever reaches the scrollback. `finish()` returns to the normal screen and prints the last
 * frame there once, wrapped to the width. Off a terminal (pipes, CI, the tests) every change is
 * printed once as a line. Hand-written: four escape sequences do not need a terminal library.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clean, frameLines, historyLine, progressBar, type AgentView, type ViewState } from './screen-frame.js';

export type { AgentView, ViewState } from './screen-frame.js';

const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l'; // alternate screen, cursor hidden
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';
const HOME = '\x1b[H';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_SCREEN_END = '\x1b[J';

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

/** What the view writes to: process.stdout, or a test's stand-in. */
export interface ViewOutput {
  write(text: string): unknown;
  readonly columns?: number;
  readonly rows?: number;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

export interface LiveViewOptions {
  /** Redraw in place on the alternate screen (a terminal); else print changes as lines. */
  readonly tty: boolean;
  readonly actionId: number;
  /** First line of the terminal view. */
  readonly title?: string;
}

export class LiveView {
  #state: ViewState | undefined;
  #onScreen = false;
  #finished = false;
  readonly #onResize = (): void => this.#draw();
  #printedHistory = 0;
  #lastPhase = '';
  #lastActivity = '';
  #lastBar = -1;

  constructor(
    private readonly out: ViewOutput,
    private readonly options: LiveViewOptions,
  ) {}

  update(state: ViewState): void {
    if (this.#finished) return;
    this.#state = state;
    if (this.options.tty) this.#draw();
    else this.#appendChanges(state);
  }

  /** Leaves the alternate screen and prints the last frame once; safe to call more than once. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (!this.#onScreen) return;
    this.out.off('resize', this.#onResize);
    this.#onScreen = false;
    // Emptied first: tmux, resized meanwhile, otherwise keeps a row of it in the restored screen.
    this.out.write(`${HOME}${CLEAR_SCREEN_END}${LEAVE_SCREEN}`);
    if (this.#state) this.out.write(`${frameLines(this.#state, { ...this.#frame(), rows: undefined }).join('\n')}\n`);
  }

  #frame() {
    return { actionId: this.options.actionId, title: this.options.title, columns: this.out.columns ?? 80, rows: this.out.rows ?? 24 };
  }

  #draw(): void {
    if (!this.#state || this.#finished) return;
    if (!this.#onScreen) {
      this.#onScreen = true;
      this.out.on('resize', this.#onResize);
      this.out.write(ENTER_SCREEN);
    }
    const lines = frameLines(this.#state, this.#frame());
    this.out.write(`${HOME}${lines.map((line) => `${line}${CLEAR_LINE_END}`).join('\r\n')}${CLEAR_SCREEN_END}`);
  }

  #appendChanges(state: ViewState): void {
    const { agent } = state;
    if (agent.phase !== this.#lastPhase) this.out.write(`phase: ${clean((this.#lastPhase = agent.phase))}\n`);
    if (agent.activity !== this.#lastActivity) this.out.write(`agent: ${clean((this.#lastActivity = agent.activity))}\n`);
    const percent = agent.progress?.percent;
    if (percent !== undefined && Math.floor(percent / 25) !== this.#lastBar) {
      this.#lastBar = Math.floor(percent / 25);
      this.out.write(`progress: ${progressBar(percent)} ${clean(agent.progress?.message ?? '')}\n`);
    }
    for (const entry of state.history.slice(this.#printedHistory)) this.out.write(`hawkBit: ${historyLine(entry)}\n`);
    this.#printedHistory = state.history.length;
  }
}
