import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startPrivateBus, type PrivateBus } from './dbus-daemon.js';
import { waitForBusName } from './bus-name.js';
import { removeLeftovers } from './leftovers.js';
import { tail, terminate, run } from './process.js';
import { raucCommand, raucRoot, ROOT_COMMANDS, type RaucVersion } from './rauc-root.js';
import { writeRaucFiles, type RaucLayout } from './rauc-files.js';
import { makeTestKeys, type TestKeys } from './rauc-keys.js';

export type BootSlot = 'A' | 'B';
export { RAUC_VERSIONS, type RaucVersion } from './rauc-root.js';

export interface RaucEnvironmentOptions {
  /** `1.8`: the host's RAUC (default); `1.13`: RAUC from the cached Debian trixie root (rauc-root.ts). */
  readonly version?: RaucVersion;
  /** Booted slot for `--override-boot-slot` (default A; also the fake bootloader's first primary). */
  readonly bootSlot?: BootSlot;
  /** Work directory (default: a new temp dir, removed on stop). */
  readonly dir?: string;
  /** The device's compatible (default `Test Device`). */
  readonly compatible?: string;
  /**
   * Directories RAUC 1.13 must see at the same path besides `dir` (e.g. the agent's downloads): its root
   * shows only those of the host's files. RAUC 1.8 sees the whole host anyway.
   */
  readonly shared?: readonly string[];
}

export interface BundleOptions {
  readonly version: string;
  /** Default: the environment's compatible. */
  readonly compatible?: string;
  /** `untrusted`: signed by a CA the device keyring does not contain. */
  readonly signer?: 'trusted' | 'untrusted';
  /** The rootfs image (default 64 KiB of random bytes). */
  readonly imageBytes?: Uint8Array;
}

const REQUIRED_COMMANDS = ['rauc', 'dbus-daemon', 'mksquashfs', 'openssl', 'losetup', 'umount'];

/**
 * Real RAUC (the host's 1.8, or 1.13 from a Debian trixie root) on a private session bus, as a child
 * of this process: throw-away keys, file-backed raw slots, a fake bootloader, a pre-install handler
 * that can hold installs. Needs root, a loop device and the Debian packages rauc, dbus, squashfs-tools,
 * openssl (1.13 also mmdebstrap, once); `start` says exactly what is missing. See test/harness/README.md.
 */
export class RaucEnvironment {
  readonly dir: string;
  readonly compatible: string;
  readonly version: RaucVersion;
  readonly #root: string | undefined;
  readonly #shared: readonly string[];
  readonly #bus: PrivateBus;
  readonly #layout: RaucLayout;
  readonly #keys: TestKeys;
  readonly #ownDir: boolean;
  readonly #log = tail(8_000);
  #service: ChildProcess | undefined;
  #bundles = 0;
  #stopping: Promise<void> | undefined;

  private constructor(init: { dir: string; ownDir: boolean; compatible: string; version: RaucVersion; root: string | undefined; shared: readonly string[]; bus: PrivateBus; layout: RaucLayout; keys: TestKeys }) {
    this.dir = init.dir;
    this.version = init.version;
    this.#root = init.root;
    this.#shared = init.shared;
    this.#ownDir = init.ownDir;
    this.compatible = init.compatible;
    this.#bus = init.bus;
    this.#layout = init.layout;
    this.#keys = init.keys;
  }

  static async start(options: RaucEnvironmentOptions = {}): Promise<RaucEnvironment> {
    const version = options.version ?? '1.8';
    const missing = missingPrerequisites(version);
    if (missing.length > 0) {
      throw new Error(`Real RAUC ${version} cannot run on this machine; missing: ${missing.join('; ')}. ` + 'As root: apt-get install -y rauc dbus squashfs-tools openssl mmdebstrap (see test/harness/README.md)');
    }
    const root = version === '1.8' ? undefined : await raucRoot();
    const ownDir = options.dir === undefined;
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'hr-rauc-')));
    const compatible = options.compatible ?? 'Test Device';
    const bootSlot = options.bootSlot ?? 'A';
    let bus: PrivateBus | undefined;
    try {
      await mkdir(join(dir, 'keys'), { recursive: true });
      if (root) await mkdir(join(dir, '.rauc-root'));
      const keys = await makeTestKeys(join(dir, 'keys'));
      const layout = await writeRaucFiles(dir, { compatible, keyring: keys.caCert, primary: bootSlot });
      bus = await startPrivateBus(dir);
      const environment = new RaucEnvironment({ dir, ownDir, compatible, version, root, shared: options.shared ?? [], bus, layout, keys });
      try {
        await environment.#startService(bootSlot);
      } catch (error) {
        await environment.stop();
        throw error;
      }
      return environment;
    } catch (error) {
      if (bus) await bus.stop();
      if (ownDir) await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get busAddress(): string {
    return this.#bus.address;
  }

  /** DBUS_SESSION_BUS_ADDRESS + DBUS_STARTER_BUS_TYPE=session, for clients and child processes. */
  get env(): Readonly<Record<string, string>> {
    return this.#bus.env;
  }

  get busPid(): number {
    return this.#bus.pid;
  }

  get servicePid(): number | undefined {
    return this.#service?.pid;
  }

  /** The last lines RAUC wrote (for assertion messages). */
  get serviceLog(): string {
    return this.#log.text;
  }

  /** The file behind a slot: `rootfs.0`/`A` or `rootfs.1`/`B`. */
  slotDevice(name: string): string {
    if (name === 'rootfs.0' || name === 'A') return this.#layout.slots['rootfs.0'];
    if (name === 'rootfs.1' || name === 'B') return this.#layout.slots['rootfs.1'];
    throw new Error(`no slot ${name} (rootfs.0/A, rootfs.1/B)`);
  }

  /** Builds and signs a `format=plain` bundle with `rauc bundle`; resolves with its absolute path. */
  async buildBundle(options: BundleOptions): Promise<string> {
    const name = `bundle-${++this.#bundles}`;
    const content = join(this.dir, 'bundles', name);
    const output = join(this.dir, 'bundles', `${name}.raucb`);
    await mkdir(content, { recursive: true });
    const manifest = ['[update]', `compatible=${options.compatible ?? this.compatible}`, `version=${options.version}`, '', '[bundle]', 'format=plain', '', '[image.rootfs]', 'filename=rootfs.img', ''];
    await writeFile(join(content, 'manifest.raucm'), manifest.join('\n'));
    await writeFile(join(content, 'rootfs.img'), options.imageBytes ?? randomBytes(64 * 1024));
    const signer = options.signer === 'untrusted' ? this.#keys.untrusted : this.#keys.trusted;
    await run('rauc', [`--cert=${signer.cert}`, `--key=${signer.key}`, `--keyring=${signer.keyring}`, 'bundle', content, output]);
    return output;
  }

  /**
   * Makes every install wait in RAUC's pre-install handler (Operation stays `installing`) until the
   * returned function is called. For busy tests: no timing involved.
   */
  async holdInstalls(): Promise<() => Promise<void>> {
    await writeFile(this.#layout.holdFile, '');
    return () => unlink(this.#layout.holdFile).catch(() => undefined);
  }

  /** A simulated reboot: stops the service and starts it again with `--override-boot-slot`. */
  async restart(options: { bootSlot: BootSlot }): Promise<void> {
    if (this.#service) await terminate(this.#service);
    await this.#startService(options.bootSlot);
  }

  /** Stops RAUC and the bus, removes mounts and loop devices left below the directory, and the temp dir. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await unlink(this.#layout.holdFile).catch(() => undefined);
      if (this.#service) await terminate(this.#service);
      await this.#bus.stop();
      await removeLeftovers(this.dir);
      if (this.#ownDir) await rm(this.dir, { recursive: true, force: true });
    })();
    return this.#stopping;
  }

  async #startService(bootSlot: BootSlot): Promise<void> {
    const command = raucCommand(this.version, [`--conf=${this.#layout.conf}`, 'service', `--override-boot-slot=${bootSlot}`], { root: this.#root, dir: this.dir, shared: this.#shared });
    const child = spawn(command.file, command.args, {
      env: { ...process.env, ...this.#bus.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#service = child;
    child.stdout?.on('data', (chunk: Buffer) => this.#log.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.#log.push(chunk));
    child.on('error', (error) => this.#log.push(`spawn error: ${error.message}\n`));
    await waitForBusName(this.#bus.address, 'de.pengutronix.rauc', { child, describe: () => `rauc ${this.version} service output:\n${this.#log.text}` });
  }
}

/** What the machine lacks for real RAUC of a version, in words (empty when everything is there). */
export function missingPrerequisites(version: RaucVersion = '1.8'): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (RAUC loop-mounts bundles)');
  const commands = version === '1.8' ? REQUIRED_COMMANDS : [...REQUIRED_COMMANDS, ...ROOT_COMMANDS];
  for (const command of commands) if (!onPath(command)) missing.push(`the command "${command}"`);
  if (!existsSync('/dev/loop-control')) missing.push('a loop device (/dev/loop-control)');
  return missing;
}

function onPath(command: string): boolean {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}
