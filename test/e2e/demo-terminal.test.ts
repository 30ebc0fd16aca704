/**
 * `npm run demo` in a real terminal (tmux), as a person runs it: the live view at 80x24, resized to
 * 200x50 during the update, shows every line once, during and after; and Ctrl-C with the output piped
 * (`npm run demo | tee log`) stops every process and removes the demo's files and its own hawkBit's
 * directory — once after the update, once while that hawkBit is starting.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { repeatedLines, Tmux } from '../helpers/tmux.js';
import { e2eServer } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function scratch(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hr-demo-terminal-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function terminal(t: ExecutionContext, command: string, columns: number, rows: number): Promise<Tmux> {
  // CI=true would make the demo print lines as it does in CI logs instead of drawing its view.
  const tmux = await Tmux.start({ command, columns, rows, cwd: ROOT, env: { HAWKBIT_URL: e2eServer().url, CI: '' } });
  t.teardown(() => tmux.stop());
  return tmux;
}

test('the live view at 80x24, resized to 200x50 during the update, shows each line once, during and after', async (t) => {
  const tmux = await terminal(t, 'node --import=tsx scripts/demo/demo.ts --exit-when-done', 80, 24);
  let size: [number, number] = [80, 24];
  let frames = 0;
  let framesAfterResize = 0;
  let title = '';
  for (;;) {
    const screen = await tmux.screen();
    if (screen[0]?.startsWith('hawkbit-rauc demo: ')) {
      title = screen[0];
      frames++;
      if (size[0] === 200) framesAfterResize++;
      t.deepEqual(repeatedLines(screen), {}, `a frame at ${size.join('x')}:\n${screen.join('\n')}`);
      t.true(screen.length <= size[1] && screen.every((line) => Array.from(line).length < size[0]), `the frame fits ${size.join('x')}:\n${screen.join('\n')}`);
      if (size[0] === 80 && !screen.some((line) => line.startsWith('agent:  phase starting'))) {
        size = [200, 50];
        await tmux.resize(...size);
      }
    }
    if ((await tmux.format('#{pane_dead}')) === '1') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const all = await tmux.scrollback();
  t.true(frames > 0 && framesAfterResize > 0, `frames seen: ${frames}, after the resize: ${framesAfterResize}\n${all.join('\n')}`);
  t.regex(all.join('\n'), /The update succeeded\./);
  // The view's lines (the last frame), printed once on the normal screen; no earlier frame left over.
  const start = all.indexOf(title);
  const end = all.indexOf('The update succeeded.');
  t.true(start >= 0 && end > start, all.join('\n'));
  const view = all.slice(start, end).filter((line) => line.trim() !== '');
  t.true(view.some((line) => /^ {2}\S+ finished {2}Installed \S+ 2\.0 to rootfs\.1$/.test(line)), view.join('\n'));
  for (const line of view) t.is(all.filter((other) => other === line).length, 1, `"${line}" once in:\n${all.join('\n')}`);
  t.is(all.filter((line) => /^action \d+: /.test(line)).length, 1, all.join('\n'));
});

/** Pids of `pid` and all its descendants. */
function processTree(pid: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    execFile('ps', ['-e', '-o', 'pid=,ppid='], (error, stdout) => {
      if (error) return reject(error);
      const children = new Map<number, number[]>();
      for (const [child, parent] of stdout.trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number))) {
        children.set(parent!, [...(children.get(parent!) ?? []), child!]);
      }
      const tree: number[] = [];
      const visit = (p: number): void => void (tree.push(p), (children.get(p) ?? []).forEach(visit));
      visit(pid);
      resolve(tree);
    });
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const commandLine = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return ''; // gone meanwhile
  }
};

/** Processes whose command line names `path` or that work in it. */
function processesUsing(path: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)) {
    let cwd = '';
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // gone meanwhile, or not ours to read
    }
    const cmdline = commandLine(pid);
    if (cmdline.includes(path) || cwd === path || cwd.startsWith(`${path}/`)) found.push(`${pid}: ${cmdline}`);
  }
  return found;
}

/** Waits until `log` has a line matching `pattern`; returns the match. */
async function waitForLog(log: string, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const text = await readFile(log, 'utf8').catch(() => '');
    const match = pattern.exec(text);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`${what} did not appear in ${log}:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Ctrl-C in the pane; waits until every process the pane had started has exited. Returns their
 * command lines as they were before.
 */
async function interrupt(t: ExecutionContext, tmux: Tmux): Promise<string[]> {
  const tree = (await processTree(Number(await tmux.format('#{pane_pid}')))).slice(1);
  const commands = tree.map(commandLine);
  t.true(commands.some((command) => command.includes('scripts/demo/demo.ts')), `the demo runs: ${commands.join('\n')}`);
  await tmux.keys('C-c');
  const deadline = Date.now() + 90_000;
  while (tree.some(alive)) {
    if (Date.now() > deadline) throw new Error(`still running 90 s after Ctrl-C: ${tree.filter(alive).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return commands;
}

test('Ctrl-C with the output piped (npm run demo | tee log) after the update stops everything and removes the demo\'s files', async (t) => {
  t.timeout(360_000, 'npm run demo builds, then starts its own hawkBit (bounded by HAWKBIT_START_TIMEOUT, 240 s)');
  const log = join(await scratch(t), 'demo.log');
  // As a new user runs it: with the demo's own hawkBit, whose stop is the clean-up's most talkative step.
  const tmux = await terminal(t, `bash -c 'env -u HAWKBIT_URL npm run demo | tee ${log}'`, 100, 30);
  const serverDir = (await waitForLog(log, /hawkbit-server: started hawkBit \S+ \(pid \d+, \S+\) in (\/\S+)$/m, 'the local hawkBit\'s start'))[1]!;
  const demoDir = (await waitForLog(log, /\(log: (\/\S+)\/agent\.log\)/, 'the agent\'s log'))[1]!;
  await waitForLog(log, /Ctrl-C stops and removes everything\./, 'the end of the update');
  t.true(existsSync(demoDir) && existsSync(serverDir));
  await interrupt(t, tmux);
  t.false(existsSync(demoDir), `${demoDir} was removed`);
  t.false(existsSync(serverDir), `${serverDir} was removed`);
  t.deepEqual(processesUsing(demoDir), [], 'no agent, RAUC or D-Bus process of the demo is left');
  t.deepEqual(processesUsing(serverDir), [], 'no hawkBit of the demo is left');
});

test('Ctrl-C with the output piped while the demo\'s own hawkBit starts removes its directory and the demo\'s', async (t) => {
  t.timeout(360_000, 'npm run demo builds, then starts its own hawkBit');
  const log = join(await scratch(t), 'demo.log');
  // Without HAWKBIT_URL the demo starts a local hawkBit (scripts/hawkbit-server.sh).
  const tmux = await terminal(t, `bash -c 'env -u HAWKBIT_URL npm run demo | tee ${log}'`, 100, 30);
  const serverDir = (await waitForLog(log, /hawkbit-server: started hawkBit \S+ \(pid \d+, \S+\) in (\/\S+)$/m, 'the local hawkBit\'s start'))[1]!;
  t.true(existsSync(serverDir));
  const commands = await interrupt(t, tmux);
  const demoDir = commands.map((command) => /--pid-file (\S+)\/server\.pid/.exec(command)?.[1]).find(Boolean);
  t.truthy(demoDir, `the start script got the demo's pid file: ${commands.join('\n')}`);
  t.false(existsSync(serverDir), `${serverDir} was removed`);
  t.false(existsSync(demoDir!), `${demoDir} was removed`);
  t.deepEqual(processesUsing(serverDir), [], 'no hawkBit of the demo is left');
  t.deepEqual(processesUsing(demoDir!), [], 'no process of the demo is left');
});
