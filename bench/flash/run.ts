// npm run bench:flash — what the agent writes to flash: `node dist/cli.js -c <config>` (a child process)
// runs under strace against the fake hawkBit in this process and real RAUC on a private bus; every
// write, fsync and rename of every thread is logged with its path, and the bench counts those in
// state_dir over idle polls and over forced updates, with targets. Not a test. Needs strace (Linux).
// Environment (defaults): BENCH_FLASH_POLLS (600 idle polls measured), BENCH_FLASH_POLL_MS (10: the
// 1 s poll sleep shortened by bench/agent/fast-poll.cjs), BENCH_FLASH_UPDATES (2),
// BENCH_FLASH_BUNDLE_MIB (4), BENCH_FLASH_NO_RUNTIME_DIR=1 (without the unit's runtime directory, as
// from a shell: the status file is then in state_dir).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RaucEnvironment } from '../../test/harness/rauc-environment.js';
import { median } from '../download/measure.js';
import { AgentProcess } from '../agent/agent-process.js';
import { shippedUnit } from '../agent/device-program.js';
import { Fixture, type TimedRequest } from '../agent/fixture.js';
import { loadAverage } from '../agent/proc-stats.js';
import { describe, stateWrites, summarize, type FlashFigures, type Window } from './figures.js';
import { readTrace, straceVersion, straceWrapper } from './strace.js';

const MiB = 1024 * 1024;
const numberFromEnv = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const polls = numberFromEnv('BENCH_FLASH_POLLS', 600);
const pollMs = numberFromEnv('BENCH_FLASH_POLL_MS', 10);
const updates = numberFromEnv('BENCH_FLASH_UPDATES', 2);
const bundleMib = numberFromEnv('BENCH_FLASH_BUNDLE_MIB', 4);
const WARMUP_POLLS = 20;
// The unit's RuntimeDirectory= as systemd passes it (on tmpfs, like /run): where the status file lives.
const runtimeDir = process.env.BENCH_FLASH_NO_RUNTIME_DIR === '1' ? undefined : shippedUnit().env.RUNTIME_DIRECTORY;
/** One poll a minute, as the year figures assume. */
const POLLS_PER_HOUR = 60;
const HOURS_PER_YEAR = 24 * 365;

/** Fixture times are performance.now(); strace's are epoch. */
const epoch = (at: number) => performance.timeOrigin + at;

async function main(): Promise<void> {
  const strace = straceVersion();
  if (!strace) {
    console.error('bench:flash: strace is not installed (or cannot trace here), so flash writes are NOT measured. Install it (`apt-get install strace`) and run again; see docs/performance.md › Flash writes.');
    process.exitCode = 1;
    return;
  }
  const loads = [loadAverage()];
  console.log(`${strace}; load average ${loads[0]}; starting real RAUC and the fake hawkBit …`);
  const rauc = await RaucEnvironment.start({ bootSlot: 'A' });
  const fixture = await Fixture.start({ pollingSleep: '00:00:01' });
  const traceDir = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-flash-'));
  const stateDir = join(fixture.dir, 'state');
  try {
    const bundles: Buffer[] = [];
    for (let run = 1; run <= updates; run++) bundles.push(await readFile(await rauc.buildBundle({ version: `flash-${run}`, imageBytes: randomBytes(bundleMib * MiB) })));
    const prefix = join(traceDir, 'trace');
    const env = { ...rauc.env, ...(runtimeDir ? { RUNTIME_DIRECTORY: runtimeDir } : {}) };
    const agent = AgentProcess.start(fixture.configFile, { env, wrapper: straceWrapper(prefix), fastPoll: { ms: pollMs } });
    const crashed = agent.exited().then(() => Promise.reject(new Error(`the agent exited (${agent.exit}):\n${agent.output}`)));
    const until = <T>(waiting: Promise<T>) => Promise.race([waiting, crashed]);
    const start: Window = { from: epoch(agent.spawnedAt), to: 0 };
    const idle: Window[] = [];
    const actions: Window[] = [];
    let stop: Window;
    try {
      fixture.resetPolls();
      const first = await until(fixture.poll(1, 120_000));
      Object.assign(start, { to: epoch(first.at) });
      const idleFrom = await until(fixture.poll(WARMUP_POLLS, 120_000));
      const idleTo = await until(fixture.poll(WARMUP_POLLS + polls, 60_000 + polls * 1_000));
      idle.push({ from: epoch(idleFrom.at), to: epoch(idleTo.at) });
      for (const [index, bundle] of bundles.entries()) actions.push(await until(runAction(fixture, stateDir, bundle, `flash-${index + 1}`)));
    } finally {
      const stopping = Date.now();
      await agent.stop();
      stop = { from: stopping, to: Date.now() + 1 };
    }
    loads.push(loadAverage());
    const events = await readTrace(prefix);
    const writes = stateWrites(events, join(stateDir, 'state.json'));
    report({
      start: summarize(events, writes, stateDir, start),
      idle: summarize(events, writes, stateDir, idle[0] as Window),
      actions: actions.map((window) => summarize(events, writes, stateDir, window)),
      stop: summarize(events, writes, stateDir, stop),
      loads,
    });
  } finally {
    await fixture.close();
    await rauc.stop();
    await rm(traceDir, { recursive: true, force: true });
  }
}

/** A forced update: from the assignment until state.json is idle again and the next poll has come. */
async function runAction(fixture: Fixture, stateDir: string, bundle: Buffer, version: string): Promise<Window> {
  const closed = fixture.next((r) => r.method === 'POST' && /\/deploymentBase\/\d+\/feedback$/.test(r.path) && status(r).execution === 'closed', 600_000);
  const from = Date.now();
  fixture.target.pushDeployment({ type: 'forced', chunks: [{ part: 'os', name: 'rootfs', version, artifacts: [{ filename: 'update.raucb', content: bundle }] }] });
  const end = await closed;
  if (status(end).result?.finished !== 'success') throw new Error(`the update ended with ${JSON.stringify(status(end))}`);
  for (let tries = 0; (await readPhase(stateDir)) !== 'idle'; tries++) {
    if (tries > 600) throw new Error('state.json did not return to idle within 60 s of the closed feedback');
    await sleep(100);
  }
  const next = await fixture.next((r) => fixture.isPoll(r), 60_000);
  return { from, to: epoch(next.at) };
}

function status(request: TimedRequest): { execution?: string; result?: { finished?: string } } {
  return (request.body as { status?: { execution?: string; result?: { finished?: string } } } | undefined)?.status ?? {};
}

async function readPhase(stateDir: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as { phase?: { kind?: string } }).phase?.kind;
  } catch {
    return undefined;
  }
}

function report(r: { start: FlashFigures; idle: FlashFigures; actions: FlashFigures[]; stop: FlashFigures; loads: string[] }): void {
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const row = (what: string, value: string, target = '') => console.log(`| ${what} | ${value} | ${target} |`);
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const perPoll = (value: number) => value / polls;
  const { idle, actions } = r;
  console.log(`\nflash writes to state_dir (strace, every thread of the agent), ${new Date().toISOString()}, load average (1/5/15 min) ${r.loads.join(', then ')}`);
  console.log(`${runtimeDir ? `the unit's runtime directory: RUNTIME_DIRECTORY=${runtimeDir} (status.json there, state_dir/status.json links to it)` : 'no runtime directory (BENCH_FLASH_NO_RUNTIME_DIR=1): status.json in state_dir'}\n`);
  console.log('| measure | value | target |\n|---|---|---|');
  const changes = actions.map((a) => a.stateWrites.filter((w) => w.phaseChange).length);
  const perChange = actions.map((a, i) => a.fsyncs / Math.max(1, changes[i] ?? 0));
  const worst = Math.max(...perChange);
  const kinds = actions[0]?.stateWrites.map((w) => `${w.kind ?? '?'}${w.phaseChange ? '' : ' (update)'}`).join(' → ') ?? '';
  row(`forced update through real RAUC, ${bundleMib} MiB bundle (${actions.length} runs): state-file writes`, `${actions.map((a) => a.stateWrites.length).join(', ')} (${changes.join(', ')} phase changes): ${kinds}`);
  row('fsyncs per phase change (state_dir; fsyncs ÷ phase changes, worst run)', `${worst.toFixed(2)} (${actions.map((a) => describe(a.fsyncsByFile)).join('; ')})`, `≤ 2: ${check(worst <= 2)}`);
  const allWrites = actions.reduce((sum, a) => sum + a.stateWrites.length, 0);
  const stateFsyncs = actions.reduce((sum, a) => sum + (a.fsyncsByFile.get('state.json') ?? 0) + (a.fsyncsByFile.get('(state_dir itself)') ?? 0), 0);
  const perWrite = stateFsyncs / Math.max(1, allWrites);
  row('fsyncs per state-file write (file + state_dir, every persisted step of the updates)', `${perWrite.toFixed(2)} (${stateFsyncs} for ${allWrites} writes)`, `≤ 2: ${check(perWrite <= 2)}`);
  row('fsyncs per idle poll (state_dir)', `${perPoll(idle.fsyncs).toFixed(3)} (${idle.fsyncs} in ${polls} polls)`, `0: ${check(idle.fsyncs === 0)}`);
  const syncOpens = idle.syncOpens + actions.reduce((sum, a) => sum + a.syncOpens, 0);
  row('files opened with O_SYNC / O_DSYNC in state_dir (idle polls and updates)', String(syncOpens), `0: ${check(syncOpens === 0)}`);
  row('state-file writes per idle poll', `${perPoll(idle.stateWrites.length).toFixed(3)}`, `0: ${check(idle.stateWrites.length === 0)}`);
  const actionBytes = median(actions.map((a) => a.bytes));
  row('bytes written to state_dir per action (median)', `${kib(actionBytes)} (${actions.map((a) => describe(a.bytesByFile, kib)).join('; ')})`);
  row('files replaced in state_dir per action (median)', `${median(actions.map((a) => a.replaced))} (${actions.map((a) => describe(a.replacedByFile)).join('; ')})`);
  row('… outside state_dir per action: the bundle (bytes, fsyncs)', actions.map((a) => `${(a.outside.bytes / MiB).toFixed(1)} MiB, ${a.outside.fsyncs}`).join('; '));
  row(`bytes written to state_dir per idle poll (${polls} polls)`, `${perPoll(idle.bytes).toFixed(0)} B (${describe(idle.bytesByFile, (b) => `${perPoll(b).toFixed(0)} B`)})`);
  row('files replaced in state_dir per idle poll', `${perPoll(idle.replaced).toFixed(2)} (${describe(idle.replacedByFile, (n) => perPoll(n).toFixed(2))})`);
  const hourBytes = perPoll(idle.bytes) * POLLS_PER_HOUR;
  const hourFiles = perPoll(idle.replaced) * POLLS_PER_HOUR;
  row('per idle hour at 1-min polling (60 polls): bytes, files replaced, fsyncs', `${kib(hourBytes)}, ${hourFiles.toFixed(0)}, ${(perPoll(idle.fsyncs) * POLLS_PER_HOUR).toFixed(0)}`);
  const yearFiles = hourFiles * HOURS_PER_YEAR;
  row(
    'per idle year at 1-min polling (525,600 polls): bytes written; files replaced (≥ one 4 KiB block each at the file system)',
    `${(hourBytes * HOURS_PER_YEAR / 1e6).toFixed(1)} MB; ${Math.round(yearFiles).toLocaleString('en')} (≥ ${(yearFiles * 4096 / 1e9).toFixed(2)} GB of blocks)`,
  );
  row('start (spawn → first poll): fsyncs, bytes, files replaced in state_dir', `${r.start.fsyncs}, ${kib(r.start.bytes)}, ${r.start.replaced} (${describe(r.start.replacedByFile)})`);
  row('stop (SIGTERM → exit): fsyncs, bytes, files replaced in state_dir', `${r.stop.fsyncs}, ${kib(r.stop.bytes)}, ${r.stop.replaced} (${describe(r.stop.replacedByFile)})`);
}

await main();
