// npm run bench:download — our downloader against curl on a file served by a local HTTP server in its
// own process. Not a test. Environment: BENCH_DOWNLOAD_MIB (default 1024), BENCH_DOWNLOAD_RUNS
// (default 3), BENCH_DOWNLOAD_DIR (default os.tmpdir()).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, median, requireGnuTime, type Measurement } from './measure.js';

const MiB = 1024 * 1024;
const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const sizeMib = Number(process.env.BENCH_DOWNLOAD_MIB ?? 1024);
const runs = Number(process.env.BENCH_DOWNLOAD_RUNS ?? 3);
const RSS_SMALL_MIB = 100;

interface Served {
  readonly path: string;
  readonly size: number;
  readonly md5: string;
  readonly sha256: string;
}

async function makeFile(path: string, mib: number): Promise<Served> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      const block = randomBytes(MiB);
      md5.update(block);
      sha256.update(block);
      await file.write(block);
    }
  } finally {
    await file.close();
  }
  return { path, size: mib * MiB, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
}

async function startServer(routes: Record<string, string>): Promise<{ child: ChildProcess; origin: string }> {
  const child = spawn(process.execPath, [here('server.mjs'), ...Object.entries(routes).map(([route, path]) => `${route}=${path}`)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, origin: `http://127.0.0.1:${line.toString().trim()}` };
}

async function main(): Promise<void> {
  await requireGnuTime();
  const work = await mkdtemp(join(process.env.BENCH_DOWNLOAD_DIR ?? tmpdir(), 'hawkbit-rauc-bench-'));
  let server: ChildProcess | undefined;
  try {
    console.log(`preparing ${sizeMib} MiB and ${RSS_SMALL_MIB} MiB files in ${work} …`);
    const big = await makeFile(join(work, 'big.bin'), sizeMib);
    const small = await makeFile(join(work, 'small.bin'), RSS_SMALL_MIB);
    const started = await startServer({ '/big': big.path, '/small': small.path });
    server = started.child;
    const url = `${started.origin}/big`;
    const out = join(work, 'out');
    const stats = join(work, 'time.txt');
    const client = here('client.mjs');
    const ours = (served: Served, route: string, verify: boolean) =>
      measure(process.execPath, [client, `${started.origin}${route}`, out, String(served.size), verify ? served.md5 : '-', verify ? served.sha256 : '-'], stats);
    const fifo1 = join(work, 'p1');
    const fifo2 = join(work, 'p2');
    const contenders: Record<string, () => Promise<Measurement>> = {
      a: () => ours(big, '/big', true),
      b: () => ours(big, '/big', false),
      c: () => measure('curl', ['-s', '-o', join(out, 'curl.bin'), url], stats),
      // = curl -s URL | tee >(md5sum) >(sha256sum) > FILE, with FIFOs so that the shell waits for (and GNU time counts) the hashers.
      d: () => measure('bash', ['-c', `rm -f ${fifo1} ${fifo2}; mkfifo ${fifo1} ${fifo2}; md5sum < ${fifo1} > /dev/null & sha256sum < ${fifo2} > /dev/null & curl -s ${url} | tee ${fifo1} ${fifo2} > ${join(out, 'tee.bin')}; wait`], stats),
      hashers: async () => {
        const md5 = await measure('md5sum', [big.path], stats);
        const sha = await measure('sha256sum', [big.path], stats);
        return { seconds: md5.seconds + sha.seconds, cpuSeconds: md5.cpuSeconds + sha.cpuSeconds, peakRssMb: Math.max(md5.peakRssMb, sha.peakRssMb) };
      },
      rssSmall: () => ours(small, '/small', true),
    };
    const results = new Map<string, Measurement[]>(Object.keys(contenders).map((key) => [key, []]));
    for (let run = 1; run <= runs; run++) {
      for (const [key, contender] of Object.entries(contenders)) {
        await rm(out, { recursive: true, force: true });
        await mkdir(out);
        const result = await contender();
        results.get(key)?.push(result);
        const bytes = key === 'rssSmall' ? small.size : big.size;
        console.log(`run ${run} ${key.padEnd(8)} ${(bytes / 1e6 / result.seconds).toFixed(0).padStart(5)} MB/s  ${result.seconds.toFixed(2)} s  cpu ${result.cpuSeconds.toFixed(2)} s  rss ${result.peakRssMb.toFixed(0)} MB`);
      }
    }
    report(results, big.size);
  } finally {
    server?.kill('SIGTERM');
    await rm(work, { recursive: true, force: true });
  }
}

function report(results: Map<string, Measurement[]>, size: number): void {
  const pick = (key: string, field: keyof Measurement) => median((results.get(key) ?? []).map((m) => m[field]));
  const rate = (key: string) => size / 1e6 / pick(key, 'seconds');
  const line = (label: string, value: string, target = '') => console.log(`${label.padEnd(44)} ${value.padStart(10)}  ${target}`);
  console.log(`\nmedians of ${runs} alternating runs, ${size / MiB} MiB, ${new Date().toISOString()}`);
  const names: Record<string, string> = { a: '(a) ours, md5+sha256', b: '(b) ours, no verification', c: '(c) curl -s -o FILE', d: '(d) curl | tee >(md5sum) >(sha256sum)' };
  for (const [key, name] of Object.entries(names)) line(name, `${rate(key).toFixed(0)} MB/s`, `cpu ${pick(key, 'cpuSeconds').toFixed(2)} s, peak RSS ${pick(key, 'peakRssMb').toFixed(0)} MB`);
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const ab = rate('a') / rate('b');
  const ac = rate('a') / rate('c');
  const ad = rate('a') / rate('d');
  line('a/b', ab.toFixed(2), `target ≥ 0.8: ${check(ab >= 0.8)}`);
  line('a/c', ac.toFixed(2), `aim ≥ 0.5: ${check(ac >= 0.5)}`);
  line('a/d', ad.toFixed(2), `target ≥ 2.0: ${check(ad >= 2)}`);
  const reference = pick('c', 'cpuSeconds') + pick('hashers', 'cpuSeconds');
  const cpu = pick('a', 'cpuSeconds') / reference;
  line('cpu(a) / cpu(curl -o + md5sum + sha256sum)', cpu.toFixed(2), `target ≤ 1.2: ${check(cpu <= 1.2)} (reference ${reference.toFixed(2)} s)`);
  const rssSmall = pick('rssSmall', 'peakRssMb');
  const rssBig = pick('a', 'peakRssMb');
  const growth = rssBig / rssSmall - 1;
  line(`peak RSS (a) ${RSS_SMALL_MIB} MiB → ${size / MiB} MiB`, `${rssSmall.toFixed(0)} → ${rssBig.toFixed(0)} MB`, `target ≤ 120 MB and ≤ 5 %: ${check(rssBig <= 120 && Math.abs(growth) <= 0.05)} (${(growth * 100).toFixed(1)} %)`);
  if (process.env.RHU_BIN) console.log('RHU_BIN is set, but the rauc-hawkbit-updater comparison is not implemented yet (it needs a DDI fake serving a download-only action).');
}

await main();
