/**
 * What every simulated device of the e2e scenarios has, whatever the server: real RAUC (1.8 or 1.13) on a
 * private bus (test/harness/rauc-environment.ts) and our built CLI (`node dist/cli.js -c <config>`)
 * as a child process, with its config, state, downloads and a simulated boot id in a temp dir.
 * "Rebooting" stops the agent (SIGTERM), restarts RAUC on a boot slot and starts the agent again with
 * a new boot id (HAWKBIT_RAUC_BOOT_ID_FILE, read by src/system/linux-system.ts).
 * Server-specific devices (agent/agent-device.ts for hawkBit, goosebit/goosebit-device.ts) extend it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/log/index.js';
import { DbusInstaller } from '../../src/rauc/index.js';
import type { SlotStatus } from '../../src/rauc/types.js';
import { RaucEnvironment, type BootSlot, type RaucEnvironmentOptions } from '../harness/rauc-environment.js';
import { exited, tail, terminate } from '../harness/process.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** The temp dir and the running RAUC of a new rig (what the constructor takes). */
export interface RigParts {
  readonly dir: string;
  readonly rauc: RaucEnvironment;
}

export class AgentRig {
  readonly #output = tail(30_000);
  #agent: ChildProcess | undefined;
  #boots = 0;

  /** A temp dir with `downloads/` and real RAUC started in `<dir>/rauc` (booted from A); the dir is shared with a RAUC root. */
  static async prepare(options: Omit<RaucEnvironmentOptions, 'dir'> = {}): Promise<RigParts> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm run test:e2e does)`);
    const dir = await mkdtemp(join(tmpdir(), 'hr-e2e-agent-'));
    try {
      await mkdir(join(dir, 'downloads'));
      const rauc = await RaucEnvironment.start({ bootSlot: 'A', ...options, dir: join(dir, 'rauc'), shared: [dir, ...(options.shared ?? [])] });
      return { dir, rauc };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  protected constructor(parts: RigParts) {
    this.dir = parts.dir;
    this.rauc = parts.rauc;
  }

  readonly dir: string;
  readonly rauc: RaucEnvironment;

  get configPath(): string {
    return join(this.dir, 'hawkbit-rauc.conf');
  }

  get bundlePath(): string {
    return join(this.dir, 'downloads', 'update.raucb');
  }

  get stateDir(): string {
    return join(this.dir, 'state');
  }

  get #bootIdFile(): string {
    return join(this.dir, 'boot_id');
  }

  /** What the agent printed (the last 30 000 characters), for assertion messages. */
  get output(): string {
    return this.#output.text;
  }

  /**
   * The `[client]` keys every e2e device shares: plain http to `serverUrl`, tenant DEFAULT, this rig's
   * download and state paths, 1 s waits, debug log.
   */
  protected clientKeys(serverUrl: string, targetName: string): Record<string, string> {
    return {
      hawkbit_server: new URL(serverUrl).host,
      ssl: 'false',
      tenant_id: 'DEFAULT',
      target_name: targetName,
      bundle_download_location: this.bundlePath,
      state_dir: this.stateDir,
      retry_wait: '1',
      active_poll_interval: '1',
      log_level: 'debug',
    };
  }

  /** Writes the agent's config file and the first boot id. */
  protected async writeConfig(text: string): Promise<void> {
    await writeFile(this.configPath, text);
    if (this.#boots === 0) await this.#newBootId();
  }

  /** Starts `node dist/cli.js -c <config> [args]` on RAUC's bus with the current simulated boot id. */
  startAgent(args: readonly string[] = []): void {
    if (this.#agent && this.#agent.exitCode === null && this.#agent.signalCode === null) throw new Error('the agent is already running');
    this.#output.push(`\n--- agent start (boot ${this.#boots})${args.map((arg) => ` ${arg}`).join('')} ---\n`);
    const child = spawn(process.execPath, [CLI, '-c', this.configPath, ...args], {
      env: { ...process.env, ...this.rauc.env, HAWKBIT_RAUC_BOOT_ID_FILE: this.#bootIdFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => this.#output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => this.#output.push(chunk));
    child.on('error', (error) => this.#output.push(`spawn error: ${error.message}\n`));
    this.#agent = child;
  }

  /** SIGTERM, as systemd stops the service; resolves with the exit code (the agent exits 0). */
  async stopAgent(): Promise<number | null> {
    const child = this.#agent;
    if (!child) return null;
    await terminate(child, 20_000);
    return child.exitCode;
  }

  /** Resolves with the exit code when the agent process exited (for tests that expect it to). */
  async agentExited(): Promise<number | null> {
    if (!this.#agent) return null;
    await exited(this.#agent);
    return this.#agent.exitCode;
  }

  /** Simulated reboot: agent stopped, RAUC restarted on `bootSlot`, new boot id, agent started. */
  async reboot(bootSlot: BootSlot): Promise<void> {
    const code = await this.stopAgent();
    if (code !== 0) throw new Error(`the agent exited with ${code} on SIGTERM:\n${this.output}`);
    await this.rauc.restart({ bootSlot });
    await this.#newBootId();
    this.startAgent();
  }

  async #newBootId(): Promise<void> {
    this.#boots++;
    await writeFile(this.#bootIdFile, `${randomUUID()}\n`);
  }

  /** Polls until `check` returns a value (not undefined); fails early when the agent died. */
  async waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      const agent = this.#agent;
      if (agent && (agent.exitCode !== null || agent.signalCode !== null)) {
        throw new Error(`the agent exited (${agent.exitCode ?? agent.signalCode}) while waiting for ${what}:\n${this.output}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; agent output:\n${this.output}\nRAUC:\n${this.rauc.serviceLog}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  /** RAUC's slot status, read over D-Bus as the agent reads it. */
  async slots(): Promise<readonly SlotStatus[]> {
    const installer = new DbusInstaller({ bus: { address: this.rauc.busAddress }, log: silentLogger() });
    try {
      return await installer.slotStatus();
    } finally {
      await installer.close();
    }
  }

  /** One slot by name, e.g. `rootfs.1` (the slot written by an installation from A). */
  async slot(name: string): Promise<SlotStatus | undefined> {
    return (await this.slots()).find((slot) => slot.name === name);
  }

  async stop(): Promise<void> {
    if (this.#agent) await terminate(this.#agent, 10_000).catch(() => undefined);
    await this.rauc.stop().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
