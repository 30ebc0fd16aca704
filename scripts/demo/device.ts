/**
 * The demo's device: RAUC on a private D-Bus (real RAUC 1.8 with file-backed slots where the machine
 * has root, a loop device and squashfs-tools; else the RAUC test service, which installs nothing), and
 * the built agent (`node dist/cli.js`) as a child process with its log in a file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPrivateBus, type PrivateBus } from '../../test/harness/dbus-daemon.js';
import { terminate, run } from '../../test/harness/process.js';
import { missingPrerequisites, RaucEnvironment } from '../../test/harness/rauc-environment.js';
import { FakeRaucService } from '../../test/fakes/rauc/fake-rauc-service.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface DemoRauc {
  /** `real`: Debian's RAUC; `test-service`: the RAUC test service (nothing is written). */
  readonly kind: 'real' | 'test-service';
  /** Why the test service is used (what the machine lacks). */
  readonly why?: string;
  readonly env: Readonly<Record<string, string>>;
  /** The update file to upload: a signed RAUC bundle (real) or random bytes (test service). */
  bundle(version: string): Promise<Buffer>;
  /** `rauc status` output (real RAUC), or a note. */
  status(): Promise<string>;
  stop(): Promise<void>;
}

/** Real RAUC where it can run, else the RAUC test service; `testService` forces the latter. */
export async function startRauc(dir: string, options: { testService?: boolean } = {}): Promise<DemoRauc> {
  const missing = options.testService ? ['nothing (the test service was asked for)'] : missingPrerequisites();
  if (missing.length === 0) {
    const env = await RaucEnvironment.start({ bootSlot: 'A', dir: join(dir, 'rauc') });
    return {
      kind: 'real',
      env: env.env,
      // 4 MiB of image: big enough for a visible download progress at the demo's speed limit.
      bundle: async (version) => readFile(await env.buildBundle({ version, imageBytes: randomBytes(4 * 1024 * 1024) })),
      status: () =>
        run('rauc', ['status', '--detailed'], { env: { ...process.env, ...env.env } })
          // eslint-disable-next-line no-control-regex -- RAUC colours its output even into a pipe
          .then((text) => text.replace(/\x1b\[[0-9;]*m/g, ''))
          .catch((error: Error) => error.message),
      stop: () => env.stop(),
    };
  }
  let bus: PrivateBus;
  try {
    bus = await startPrivateBus(dir);
  } catch (error) {
    throw new Error(`neither real RAUC (missing: ${missing.join('; ')}) nor the RAUC test service (no D-Bus) can run here`, { cause: error });
  }
  const fake = await FakeRaucService.start({ busAddress: bus.address, compatible: 'Test Device', delayMs: 300, bundle: { version: '2.0' } });
  return {
    kind: 'test-service',
    why: missing.join('; '),
    env: bus.env,
    bundle: () => Promise.resolve(randomBytes(4 * 1024 * 1024)),
    status: () => Promise.resolve('(the RAUC test service has no `rauc status`; it recorded the install call)'),
    stop: async () => {
      await fake.stop();
      await bus.stop();
    },
  };
}

export interface DemoAgent {
  readonly stateDir: string;
  readonly logFile: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Writes the agent's config and starts `node dist/cli.js -c <config>` on RAUC's bus. */
export async function startAgent(options: {
  dir: string;
  url: string;
  controllerId: string;
  token: string;
  rauc: DemoRauc;
}): Promise<DemoAgent> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm run demo does)`);
  const stateDir = join(options.dir, 'state');
  await mkdir(join(options.dir, 'downloads'), { recursive: true });
  const config = join(options.dir, 'hawkbit-rauc.conf');
  await writeFile(
    config,
    [
      '[client]',
      `hawkbit_server = ${new URL(options.url).host}`,
      `ssl = ${new URL(options.url).protocol === 'https:'}`,
      'tenant_id = DEFAULT',
      `target_name = ${options.controllerId}`,
      `auth_token = ${options.token}`,
      `bundle_download_location = ${join(options.dir, 'downloads', 'update.raucb')}`,
      `state_dir = ${stateDir}`,
      'retry_wait = 2',
      'active_poll_interval = 1',
      // 1 MiB/s: the download takes a few seconds, so its progress can be watched.
      `download_speed_limit = ${1024 * 1024}`,
      'log_level = info',
      '',
      '[device]',
      'product = hawkbit-rauc demo',
      `serial = ${options.controllerId}`,
      '',
    ].join('\n'),
  );
  const logFile = join(options.dir, 'agent.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [CLI, '-c', config], { env: { ...process.env, ...options.rauc.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  return {
    stateDir,
    logFile,
    process: child,
    stop: async () => {
      await terminate(child, 10_000);
      log.end();
    },
  };
}
