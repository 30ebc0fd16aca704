// npm run bench:fleet — `hawkbit-rauc fleet` (the built CLI, a child process) against the fake hawkBit
// in this process: for each fleet size, RSS and CPU per virtual device while every device polls idle,
// then one forced update of every device (peak RSS, time until all are closed), with the default
// download and write concurrency (8 each) and no rate limit. Not a test.
// Environment (defaults): BENCH_FLEET_SIZES ("100 1000"), BENCH_FLEET_IDLE_S (30: the measured idle
// window), BENCH_FLEET_SLEEP ("00:00:05": the server's polling sleep), BENCH_FLEET_UPDATE (1: 0 skips
// the update round), BENCH_FLEET_NODE_ARGS (extra node arguments, e.g. "--cpu-prof"), BENCH_FLEET_CLI (the
// cli.js of another build instead of dist/cli.js, e.g. the base of a branch).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { delay } from '../../src/lib/abort.js';
import { exited, tail, terminate } from '../../test/harness/process.js';
import { FakeHawkbit } from '../../test/fakes/hawkbit/index.js';
import { configText } from '../../test/helpers/config-text.js';
import { loadAverage, sample, type ProcSample } from '../agent/proc-stats.js';

const CLI = process.env.BENCH_FLEET_CLI ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const GATEWAY = 'bench-fleet-gateway-token';
const sizes = (process.env.BENCH_FLEET_SIZES ?? '100 1000').split(' ').filter(Boolean).map(Number);
const idleSeconds = Number(process.env.BENCH_FLEET_IDLE_S ?? 30);
const sleep = process.env.BENCH_FLEET_SLEEP ?? '00:00:05';
const withUpdate = process.env.BENCH_FLEET_UPDATE !== '0';
const nodeArgs = (process.env.BENCH_FLEET_NODE_ARGS ?? '').split(' ').filter(Boolean);

interface Figures {
  readonly devices: number;
  readonly rampS: number;
  readonly idle: { readonly rssMb: number; readonly polls: number; readonly cpuMs: number; readonly seconds: number };
  readonly update?: { readonly seconds: number; readonly closed: number; readonly success: number; readonly peakRssMb: number; readonly cpuS: number };
  readonly stopMs: number;
  readonly exitCode: number | null;
}

async function measure(devices: number): Promise<Figures> {
  let polls = 0;
  const hb = await FakeHawkbit.start({
    pollingSleep: sleep,
    gatewayToken: GATEWAY,
    onRequest: (request) => {
      if (request.method === 'GET' && /^\/[^/]+\/controller\/v1\/[^/]+$/.test(request.path)) polls++;
    },
  });
  const dir = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-bench-fleet-'));
  try {
    const config = join(dir, 'fleet.conf');
    const client = { hawkbit_server: hb.hostPort, ssl: 'false', tenant_id: hb.tenant, target_name: 'unused', auth_token: null, gateway_token: GATEWAY, bundle_download_location: join(dir, 'unused.raucb'), state_dir: join(dir, 'unused'), retry_wait: '5', active_poll_interval: '5' };
    await writeFile(config, configText({ client }));
    const ids = Array.from({ length: devices }, (_, index) => `bench-${String(index).padStart(4, '0')}`);
    for (const id of ids) hb.addTarget(id);
    const rampS = Math.max(2, devices / 100);
    const args = [CLI, 'fleet', '-c', config, '--devices', String(devices), '--prefix', 'bench-', '--dir', join(dir, 'fleet'), '--ramp-up', String(rampS), '--install-time', '2', '--reboot-time', '1', '--reads-per-second', '100000', '--writes-per-second', '100000', '--no-view'];
    const output = tail(4000);
    const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    const pid = child.pid!;
    // Every device started and polled at least twice (its attributes sent): the fleet is idle.
    while (polls < devices * 2) {
      if (child.exitCode !== null) throw new Error(`the fleet exited early: ${output.text}`);
      await delay(250);
    }
    await delay(2000);
    const before: ProcSample = await sample(pid);
    const pollsBefore = polls;
    const started = performance.now();
    await delay(idleSeconds * 1000);
    const after = await sample(pid);
    const idle = { rssMb: after.rssMb, polls: polls - pollsBefore, cpuMs: after.cpuMs - before.cpuMs, seconds: (performance.now() - started) / 1000 };
    let update: Figures['update'];
    if (withUpdate) {
      const content = Buffer.alloc(256 * 1024, 0x42);
      const actions = ids.map((id) => ({ id, action: hb.target(id)!.pushDeployment({ type: 'forced', chunks: [{ part: 'os', name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs.raucb', content }] }] }).actionId }));
      const updateStart = performance.now();
      const cpuStart = (await sample(pid)).cpuMs;
      let peak = 0;
      let closed = 0;
      for (;;) {
        const now = await sample(pid);
        peak = Math.max(peak, now.rssMb);
        closed = actions.filter(({ id, action }) => hb.target(id)!.action(action).status !== 'active').length;
        if (closed === devices || performance.now() - updateStart > 600_000) break;
        await delay(500);
      }
      const success = actions.filter(({ id, action }) => hb.target(id)!.action(action).status === 'finished').length;
      update = { seconds: (performance.now() - updateStart) / 1000, closed, success, peakRssMb: Math.max(peak, (await sample(pid)).peakRssMb), cpuS: ((await sample(pid)).cpuMs - cpuStart) / 1000 };
    }
    const stopAt = performance.now();
    child.kill('SIGINT');
    const stopped = await Promise.race([exited(child).then(() => true), delay(60_000).then(() => false)]);
    const stopMs = performance.now() - stopAt;
    if (!stopped) await terminate(child);
    const exitCode = stopped ? child.exitCode : null;
    return { devices, rampS, idle, ...(update ? { update } : {}), stopMs, exitCode };
  } finally {
    await hb.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function report(all: readonly Figures[], loads: readonly string[]): void {
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const row = (what: string, value: string, target = '') => console.log(`| ${what} | ${value} | ${target} |`);
  console.log(`\nfleet benchmark, ${new Date().toISOString()}, polling sleep ${sleep}, load average (1/5/15 min) at start ${loads.join(', then ')}\n`);
  console.log('| measure | value | target |\n|---|---|---|');
  for (const f of all) {
    const cpuPerPoll = f.idle.cpuMs / f.idle.polls;
    row(`${f.devices} devices: RSS, idle`, `${f.idle.rssMb.toFixed(0)} MB (${((f.idle.rssMb * 1000) / f.devices).toFixed(0)} kB per device)`, f.devices >= 1000 ? `≤ 500 MB at 1,000: ${check(f.idle.rssMb <= (500 * f.devices) / 1000)}` : '');
    row(`${f.devices} devices: CPU per idle poll (${f.idle.polls} polls in ${f.idle.seconds.toFixed(0)} s)`, `${cpuPerPoll.toFixed(2)} ms (process CPU ${((f.idle.cpuMs / 10) / f.idle.seconds).toFixed(1)} %)`, f.devices >= 1000 ? `≤ 1 ms at 1,000: ${check(cpuPerPoll <= 1)}` : '');
    if (f.update) {
      row(`${f.devices} devices: forced update of all (256 KiB artifact, 2 s install, 1 s reboot)`, `${f.update.success}/${f.devices} success, ${f.update.closed} closed in ${f.update.seconds.toFixed(1)} s; CPU ${f.update.cpuS.toFixed(1)} s (${((f.update.cpuS * 1000) / f.devices).toFixed(1)} ms per device)`);
      row(`${f.devices} devices: peak RSS during the update`, `${f.update.peakRssMb.toFixed(0)} MB`, f.devices >= 1000 ? `≤ 500 MB at 1,000: ${check(f.update.peakRssMb <= (500 * f.devices) / 1000)}` : '');
    }
    row(`${f.devices} devices: Ctrl-C → exit (every state persisted, report written)`, `${f.stopMs.toFixed(0)} ms, exit ${f.exitCode}`);
  }
}

async function main(): Promise<void> {
  const loads = [loadAverage()];
  const all: Figures[] = [];
  for (const devices of sizes) {
    console.log(`${devices} devices …`);
    const figures = await measure(devices);
    console.log(JSON.stringify(figures));
    all.push(figures);
    loads.push(loadAverage());
  }
  report(all, loads);
}

await main();
