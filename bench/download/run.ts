// npm run bench:download — a verified download of a download-only action, whole run-once (`-r`), by our
// CLI, by rauc-hawkbit-updater (RHU_BIN) and by `curl -o`, side by side from one DDI server in its own
// process. Not a test. Environment: BENCH_DOWNLOAD_MIB (default 1024), BENCH_DOWNLOAD_RUNS (default 3),
// BENCH_DOWNLOAD_DIR (default os.tmpdir()), RHU_BIN (a rauc-hawkbit-updater binary; optional),
// BENCH_DOWNLOAD_NODE_ARGS (extra node arguments for our CLI, e.g. "--max-semi-space-size=1"),
// BENCH_DOWNLOAD_BASE_CLI (the cli.js of another build, run as one more contender: a change against its base),
// BENCH_DOWNLOAD_CLI (our CLI; default the device bundle of `npm run build:device`, what a device runs),
// BENCH_DOWNLOAD_PLAIN=1 (ours and base without the shipped unit's options and environment),
// BENCH_DOWNLOAD_PREWRITE=0 (no scratch file written and removed before each contender; see prewrite()).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEVICE_BUNDLE, shippedUnit, unitSettings } from '../agent/device-program.js';
import { loadAverage } from '../agent/proc-stats.js';
import { configText } from '../../test/helpers/config-text.js';
import { measure, median, requireGnuTime, type Measurement } from './measure.js';

const MiB = 1024 * 1024;
const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const CLI = process.env.BENCH_DOWNLOAD_CLI || DEVICE_BUNDLE;
// Ours (and the base build) run as the shipped unit starts the service: its options and Environment=.
const unit = process.env.BENCH_DOWNLOAD_PLAIN === '1' ? { args: [], env: {} } : shippedUnit();
const sizeMib = Number(process.env.BENCH_DOWNLOAD_MIB ?? 1024);
const runs = Number(process.env.BENCH_DOWNLOAD_RUNS ?? 3);
const rhuBin = process.env.RHU_BIN;
const nodeArgs = (process.env.BENCH_DOWNLOAD_NODE_ARGS ?? '').split(' ').filter(Boolean);
const baseCli = process.env.BENCH_DOWNLOAD_BASE_CLI;
// The base build gets a code cache directory of its own (shippedUnit makes a new one each call).
const baseUnit = baseCli && process.env.BENCH_DOWNLOAD_PLAIN !== '1' ? shippedUnit() : unit;
const SMALL_MIB = 100;
const prewriteOn = process.env.BENCH_DOWNLOAD_PREWRITE !== '0';

interface Served {
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly spec: string;
}

async function makeFile(dir: string, name: string, mib: number): Promise<Served> {
  const hashes = ['md5', 'sha1', 'sha256'].map((algorithm) => createHash(algorithm));
  const path = join(dir, name);
  const file = await open(path, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      const block = randomBytes(MiB);
      for (const hash of hashes) hash.update(block);
      await file.write(block);
    }
  } finally {
    await file.close();
  }
  return { name, path, size: mib * MiB, spec: `${name}=${[path, ...hashes.map((hash) => hash.digest('hex'))].join(':')}` };
}

/**
 * Writes and removes `mib` MiB of scratch file. Each contender runs right after one, so each finds the
 * same free memory: on a virtual machine whose host takes back the guest's free pages (virtio free page
 * reporting), writing into pages that stayed free a while costs the writer ~2 system CPU-s per GiB, and
 * without this the contender after the 100 MiB run (always ours, in this rotation) paid it alone
 * (docs/performance.md › Levers, sixth round). Not measured.
 */
async function prewrite(dir: string, mib: number): Promise<void> {
  const path = join(dir, 'prewrite.bin');
  const block = Buffer.alloc(MiB, 0x5a);
  const file = await open(path, 'w');
  try {
    for (let i = 0; i < mib; i++) await file.write(block, 0, MiB, i * MiB);
  } finally {
    await file.close();
  }
  await rm(path);
}

interface Finished {
  readonly file: string;
  readonly finished: string;
}

async function startServer(files: readonly Served[]): Promise<{ child: ChildProcess; origin: string; results: Finished[] }> {
  const child = spawn(process.execPath, [here('ddi-server.mjs'), ...files.map((file) => file.spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [port] = (await once(lines, 'line')) as [string];
  const results: Finished[] = [];
  lines.on('line', (line) => results.push(JSON.parse(line) as Finished));
  return { child, origin: `http://127.0.0.1:${port}`, results };
}

async function main(): Promise<void> {
  await requireGnuTime();
  const rhuVersion = rhuBin ? execFileSync(rhuBin, ['--version'], { encoding: 'utf8' }).trim() : undefined;
  const loads = [loadAverage()];
  const work = await mkdtemp(join(process.env.BENCH_DOWNLOAD_DIR ?? tmpdir(), 'hawkbit-rauc-bench-'));
  let server: ChildProcess | undefined;
  try {
    console.log(`load average ${loads[0]}, ${availableParallelism()} cores; preparing ${sizeMib} MiB and ${SMALL_MIB} MiB files in ${work} …`);
    const big = await makeFile(work, 'big.bin', sizeMib);
    const small = await makeFile(work, 'small.bin', SMALL_MIB);
    const started = await startServer([big, small]);
    server = started.child;
    const out = join(work, 'out');
    const stats = join(work, 'time.txt');
    const client = (name: string, extra: Record<string, string> = {}) => ({
      hawkbit_server: started.origin.replace('http://', ''),
      ssl: 'false',
      ssl_verify: 'false',
      tenant_id: 'DEFAULT',
      target_name: 'bench',
      auth_token: 'bench-token',
      bundle_download_location: join(out, `${name}.raucb`),
      retry_wait: '1',
      log_level: 'message',
      ...extra,
    });
    const oursConf = join(work, 'ours.conf');
    const rhuConf = join(work, 'rhu.conf');
    await writeFile(oursConf, configText({ client: client('ours', { state_dir: join(out, 'state') }), device: { product: 'Bench' } }), { mode: 0o600 });
    await writeFile(rhuConf, configText({ client: client('rhu'), device: { product: 'Bench' } }), { mode: 0o600 });
    const serve = async (file: Served) => {
      await fetch(`${started.origin}/bench/next?file=${file.name}`, { method: 'POST' });
    };
    /** A run-once client must end with its action reported `success` to the server. */
    const runOnce = async (file: Served, command: string, args: string[], env: Readonly<Record<string, string>> = {}): Promise<Measurement> => {
      await serve(file);
      const before = started.results.length;
      const result = await measure(command, args, stats, env);
      const reported = started.results.slice(before);
      if (reported.length !== 1 || reported[0]?.finished !== 'success' || reported[0].file !== file.name) {
        throw new Error(`${command}: the server got ${JSON.stringify(reported)} instead of one successful action`);
      }
      return result;
    };
    const curlUrl = `${started.origin}/DEFAULT/controller/v1/bench/softwaremodules/1/artifacts/${big.name}`;
    const contenders: Record<string, () => Promise<Measurement>> = {
      ours: () => runOnce(big, process.execPath, [...nodeArgs, CLI, ...unit.args, '-r', '-c', oursConf], unit.env),
      ...(baseCli ? { base: () => runOnce(big, process.execPath, [...nodeArgs, baseCli, ...baseUnit.args, '-r', '-c', oursConf], baseUnit.env) } : {}),
      ...(rhuBin ? { rhu: () => runOnce(big, rhuBin, ['-r', '-c', rhuConf]) } : {}),
      curl: () => measure('curl', ['-s', '-o', join(out, 'curl.bin'), curlUrl], stats),
      hashers: async () => {
        const md5 = await measure('md5sum', [big.path], stats);
        const sha = await measure('sha256sum', [big.path], stats);
        return { seconds: md5.seconds + sha.seconds, cpuSeconds: md5.cpuSeconds + sha.cpuSeconds, userSeconds: md5.userSeconds + sha.userSeconds, sysSeconds: md5.sysSeconds + sha.sysSeconds, peakRssMb: Math.max(md5.peakRssMb, sha.peakRssMb) };
      },
      oursSmall: () => runOnce(small, process.execPath, [...nodeArgs, CLI, ...unit.args, '-r', '-c', oursConf], unit.env),
    };
    const results = new Map<string, Measurement[]>(Object.keys(contenders).map((key) => [key, []]));
    for (let run = 1; run <= runs; run++) {
      // The order rotates from round to round: the first large write after a pause can cost the writer
      // several CPU-seconds of page-cache reclaim on a busy machine (docs/performance.md), which must not
      // always fall on the same contender.
      const entries = Object.entries(contenders);
      const rotated = [...entries.slice((run - 1) % entries.length), ...entries.slice(0, (run - 1) % entries.length)];
      for (const [key, contender] of rotated) {
        await rm(out, { recursive: true, force: true });
        await mkdir(out);
        if (prewriteOn) await prewrite(work, sizeMib);
        const result = await contender();
        results.get(key)?.push(result);
        const bytes = key === 'oursSmall' ? small.size : big.size;
        console.log(`run ${run} ${key.padEnd(9)} ${(bytes / 1e6 / result.seconds).toFixed(0).padStart(5)} MB/s  ${result.seconds.toFixed(2)} s  cpu ${result.cpuSeconds.toFixed(2)} s (user ${result.userSeconds.toFixed(2)}, sys ${result.sysSeconds.toFixed(2)})  rss ${result.peakRssMb.toFixed(0)} MB`);
      }
    }
    loads.push(loadAverage());
    report(results, big.size, { rhuVersion, loads });
  } finally {
    server?.kill('SIGTERM');
    await rm(work, { recursive: true, force: true });
  }
}

function report(results: Map<string, Measurement[]>, size: number, context: { rhuVersion: string | undefined; loads: string[] }): void {
  const pick = (key: string, field: keyof Measurement) => median((results.get(key) ?? []).map((m) => m[field]));
  const rate = (key: string) => size / 1e6 / pick(key, 'seconds');
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const row = (what: string, value: string, target = '') => console.log(`| ${what} | ${value} | ${target} |`);
  console.log(`\ndownload benchmark, ${new Date().toISOString()}, medians of ${runs} alternating runs, ${size / MiB} MiB, ${availableParallelism()} cores, load average (1/5/15 min) ${context.loads.join(', then ')}`);
  console.log(prewriteOn ? `each contender started right after ${size / MiB} MiB of scratch file had been written and removed (BENCH_DOWNLOAD_PREWRITE=0: not)` : 'no scratch file before the contenders (BENCH_DOWNLOAD_PREWRITE=0)');
  console.log(`rauc-hawkbit-updater: ${context.rhuVersion ? `${rhuBin} (${context.rhuVersion})` : 'not measured (set RHU_BIN)'}; ours: ${CLI === DEVICE_BUNDLE ? 'the device bundle, ' : ''}${CLI}${process.env.BENCH_DOWNLOAD_PLAIN === '1' ? ' without the unit\'s settings (BENCH_DOWNLOAD_PLAIN=1)' : ` as the unit starts it (${unitSettings(unit)})`}${nodeArgs.length ? `; node arguments for ours: ${nodeArgs.join(' ')}` : ''}${baseCli ? `; base: ${baseCli}` : ''}\n`);
  console.log('| contender | MB/s | CPU s | peak RSS MB |\n|---|---|---|---|');
  const names: Record<string, string> = { ours: 'ours, `-r`, download-only action, MD5 + SHA-256', base: 'base build (BENCH_DOWNLOAD_BASE_CLI), the same', rhu: 'rauc-hawkbit-updater `-r` (SHA-1 after the transfer)', curl: '`curl -s -o FILE`', hashers: '`md5sum` + `sha256sum` of the file' };
  for (const [key, name] of Object.entries(names)) {
    if (results.has(key)) console.log(`| ${name} | ${rate(key).toFixed(0)} | ${pick(key, 'cpuSeconds').toFixed(2)} | ${pick(key, 'peakRssMb').toFixed(0)} |`);
  }
  console.log('\n| figure | value | target |\n|---|---|---|');
  if (results.has('rhu')) {
    const vsRhu = rate('ours') / rate('rhu');
    row('verified download vs rauc-hawkbit-updater, whole run-once', `${vsRhu.toFixed(2)}×`, `≥ 1.5×: ${check(vsRhu >= 1.5)}`);
  } else {
    row('verified download vs rauc-hawkbit-updater, whole run-once', 'not measured (set RHU_BIN)', '≥ 1.5×');
  }
  if (results.has('base')) {
    row('ours vs base build, same run', `${(rate('ours') / rate('base')).toFixed(2)}× speed, ${(pick('ours', 'cpuSeconds') / pick('base', 'cpuSeconds')).toFixed(2)}× CPU, ${(pick('ours', 'peakRssMb') - pick('base', 'peakRssMb')).toFixed(0)} MB peak RSS`);
  }
  const vsCurl = rate('ours') / rate('curl');
  row('verified download vs `curl -o`', `${vsCurl.toFixed(2)}×`, `≥ 0.4×: ${check(vsCurl >= 0.4)}`);
  const reference = pick('curl', 'cpuSeconds') + pick('hashers', 'cpuSeconds');
  const cpu = pick('ours', 'cpuSeconds') / reference;
  row('CPU-s per verified GiB vs curl -o + md5sum + sha256sum', `${cpu.toFixed(2)}× (${pick('ours', 'cpuSeconds').toFixed(2)} / ${reference.toFixed(2)} s)`, `≤ 1.0×: ${check(cpu <= 1)}`);
  const rssSmall = pick('oursSmall', 'peakRssMb');
  const rssBig = pick('ours', 'peakRssMb');
  const growth = rssBig / rssSmall - 1;
  row(`peak RSS, verified download (whole CLI, \`-r\`), ${size / MiB} MiB (${SMALL_MIB} MiB)`, `${rssBig.toFixed(0)} MB (${rssSmall.toFixed(0)} MB, ${(growth * 100).toFixed(1)} %)`, `≤ 90 MB and within 5 %: ${check(rssBig <= 90 && Math.abs(growth) <= 0.05)}`);
}

await main();
