/**
 * A private tmux server (own socket, no user config) with one pane of a given size, for tests that
 * look at what a person sees on a terminal: `screen()` is the visible pane, `scrollback()` includes
 * the history. Panes stay after their command exits (remain-on-exit), so the last screen can be read.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function tmuxAvailable(): Promise<boolean> {
  return new Promise((resolve) => execFile('tmux', ['-V'], (error) => resolve(!error)));
}

export class Tmux {
  private constructor(
    private readonly dir: string,
    private readonly socket: string,
  ) {}

  /** Starts a server whose pane `columns` × `rows` runs `command` (a shell command line) in `cwd`. */
  static async start(options: { command: string; columns: number; rows: number; cwd: string; env?: Record<string, string> }): Promise<Tmux> {
    if (!(await tmuxAvailable())) throw new Error('tmux is not installed (apt-get install tmux; .ci/run installs it)');
    const dir = await mkdtemp(join(tmpdir(), 'hr-tmux-'));
    const config = join(dir, 'tmux.conf');
    await writeFile(config, 'set -g remain-on-exit on\nset -g history-limit 10000\nset -g status off\n');
    const tmux = new Tmux(dir, join(dir, 'socket'));
    const env = Object.entries(options.env ?? {}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    await tmux.run(['-f', config, 'new-session', '-d', '-s', 'test', '-x', String(options.columns), '-y', String(options.rows), '-c', options.cwd, ...env, options.command]);
    return tmux;
  }

  run(args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('tmux', ['-S', this.socket, ...args], (error, stdout, stderr) => {
        if (error) reject(new Error(`tmux ${args.join(' ')}: ${stderr.trim() || error.message}`, { cause: error }));
        else resolve(stdout);
      });
    });
  }

  /** The visible pane, trailing blanks of lines and trailing empty lines removed. */
  async screen(): Promise<string[]> {
    return trimLines(await this.run(['capture-pane', '-p', '-t', 'test']));
  }

  /** History and visible pane. */
  async scrollback(): Promise<string[]> {
    return trimLines(await this.run(['capture-pane', '-p', '-S', '-', '-t', 'test']));
  }

  /** Keys as tmux names them (`q`, `C-c`, `Enter`). */
  async keys(...keys: string[]): Promise<void> {
    await this.run(['send-keys', '-t', 'test', ...keys]);
  }

  async resize(columns: number, rows: number): Promise<void> {
    await this.run(['resize-window', '-t', 'test', '-x', String(columns), '-y', String(rows)]);
  }

  /** `#{pane_pid}`, `#{pane_dead}`, `#{pane_title}`, … of the pane. */
  async format(format: string): Promise<string> {
    return (await this.run(['display-message', '-p', '-t', 'test', format])).trim();
  }

  /**
   * Polls the screen every 100 ms until `done` accepts it; rejects with the last screen when `what`
   * has not happened within `ms` (an event that must come, not a speed assertion).
   */
  async waitForScreen(what: string, done: (screen: string[]) => boolean, ms = 60_000): Promise<string[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const screen = await this.screen();
      if (done(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms / 1000} s; the screen:\n${screen.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await this.run(['kill-server']).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

function trimLines(text: string): string[] {
  const lines = text.split('\n').map((line) => line.trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

/** The non-blank lines that occur more than once in `lines`, with their counts. */
export function repeatedLines(lines: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) if (line.trim() !== '') counts.set(line, (counts.get(line) ?? 0) + 1);
  return Object.fromEntries([...counts].filter(([, count]) => count > 1));
}
