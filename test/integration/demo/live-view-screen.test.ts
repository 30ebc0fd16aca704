/**
 * The demo's live view on a real terminal (tmux), as a person sees it: every frame is exactly the
 * expected lines (cut to the width, history to the height, escape sequences from the server removed),
 * each once; after a resize the next frame fits the new size; afterwards the normal screen holds the
 * set-up lines and the last frame once each, and nothing of the earlier frames.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { frameLines, type ViewState } from '../../../scripts/demo/screen-frame.js';
import type { MgmtActionStatus } from '../../e2e/hawkbit-mgmt-types.js';
import { repeatedLines, Tmux } from '../../helpers/tmux.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DRIVER = fileURLToPath(new URL('live-view-driver.ts', import.meta.url));
const TITLE = 'live view test: target t-1';

const t0 = Date.parse('2026-12-01T09:00:00Z');
const entry = (id: number, type: string, ...messages: string[]): MgmtActionStatus => ({ id, type, messages, code: undefined, reportedAt: t0 + id * 1000 });
const action = (active: boolean, detail: string) => ({ id: 7, type: 'update', active, detail, forceType: 'forced', lastStatusCode: undefined });
const agent = (phase: string, activity: string, percent?: number) => ({
  phase,
  activity,
  progress: percent === undefined ? undefined : { percent, message: 'downloading rootfs-2.0.raucb' },
});
const policy =
  'Policy: Version check skipped: the booted slot rootfs.0 reports no bundle version; installing os-1 2.0 | Policy: 4.0 MiB (4199165 bytes) to download into /tmp/x/downloads: enough free space';
const history = [
  entry(0, 'running'),
  entry(1, 'retrieved', 'Update Server: Target retrieved update action and should start now the download.'),
  entry(2, 'download', 'Downloading rootfs-2.0.raucb (4.0 MiB)', policy),
  // What a hostile server could store: clear the screen, retitle the terminal, colour the text.
  entry(3, 'download', 'evil \x1b[2J\x1b]0;pwned\x07\x1b[31mred\x1b[0m text'),
];
const steps = Array.from({ length: 20 }, (_, i) => entry(4 + i, 'running', `step ${i + 1} of the installation`));
const STATES: ViewState[] = [
  { action: undefined, history: [], agent: agent('starting', 'starting') },
  { action: action(true, 'download'), history: history.slice(0, 2), agent: agent('downloading', 'action 7 (forced)', 5) },
  { action: action(true, 'download'), history, agent: agent('downloading', 'action 7 (forced)', 55) },
  { action: action(true, 'running'), history: [...history, ...steps], agent: agent('installing', 'installing', 100) },
  { action: action(false, 'finished'), history: [...history, ...steps, entry(30, 'finished', 'Installed os-1 2.0 to rootfs.1')], agent: agent('idle', 'idle') },
];
const SET_UP = Array.from({ length: 30 }, (_, i) => `set-up line ${i + 1}`);

const expected = (state: ViewState, columns: number, rows?: number) => frameLines(state, { actionId: 7, title: TITLE, columns, rows }).map((line) => line.trimEnd());

async function startView(t: ExecutionContext, columns: number, rows: number): Promise<Tmux> {
  const dir = await mkdtemp(join(tmpdir(), 'hr-view-'));
  const states = join(dir, 'states.json');
  await writeFile(states, JSON.stringify(STATES));
  const tmux = await Tmux.start({ command: `node --import=tsx ${DRIVER} ${states}`, columns, rows, cwd: ROOT });
  t.teardown(async () => {
    await tmux.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return tmux;
}

/** Waits until the screen is exactly the frame of `state` at this size, and checks it has every line once. */
async function assertFrame(t: ExecutionContext, tmux: Tmux, state: ViewState, columns: number, rows: number): Promise<void> {
  const frame = expected(state, columns, rows);
  const screen = await tmux.waitForScreen(`the frame at ${columns}x${rows}`, (lines) => lines.join('\n') === frame.join('\n'));
  t.deepEqual(repeatedLines(screen), {}, screen.join('\n'));
  t.true(frame.length <= rows && frame.every((line) => Array.from(line).length < columns), 'the frame fits the terminal');
}

async function runThrough(t: ExecutionContext, size: [number, number], resized: [number, number]): Promise<void> {
  let [columns, rows] = size;
  const tmux = await startView(t, columns, rows);
  for (const [index, state] of STATES.entries()) {
    if (index > 0) await tmux.keys('n');
    if (index === 3) {
      await assertFrame(t, tmux, state, columns, rows);
      [columns, rows] = resized;
      await tmux.resize(columns, rows);
    }
    await assertFrame(t, tmux, state, columns, rows);
    if (index === 2) {
      t.regex((await tmux.screen()).join('\n'), /^ {2}09:00:03 download {2}evil red text$/m, 'escape sequences from the server are removed');
      t.not(await tmux.format('#{pane_title}'), 'pwned', 'the server cannot retitle the terminal');
    }
  }

  await tmux.keys('q');
  await tmux.waitForScreen('the end of the view', (screen) => screen.includes('after the view'));
  const all = (await tmux.scrollback()).filter((line) => line.trim() !== '' && !line.startsWith('Pane is dead'));
  const final = expected(STATES.at(-1)!, columns).filter((line) => line.trim() !== '');
  t.deepEqual(all, [...SET_UP, ...final, 'after the view'], 'the set-up lines and the last frame, each once, nothing else');
}

test('80x24, resized to 200x50 during the update: each frame fits, each line once, the last frame stays once', async (t) => {
  await runThrough(t, [80, 24], [200, 50]);
});

test('200x50, resized to 80x24 during the update: each frame fits, each line once, the last frame stays once', async (t) => {
  await runThrough(t, [200, 50], [80, 24]);
});

test('a terminal smaller than the frame (60x12): the newest history lines are shown, nothing scrolls away', async (t) => {
  await runThrough(t, [60, 12], [50, 10]);
});
