/**
 * One simulated device for the agent e2e scenarios: a target on the real hawkBit, real RAUC (1.8 or
 * 1.13) on a private bus (test/harness/rauc-environment.ts), and our built CLI (`node dist/cli.js -c <config>`)
 * as a child process, with its state, downloads and a simulated boot id in a temp dir.
 * "Rebooting" stops the agent (SIGTERM), restarts RAUC on a boot slot and starts the agent again with
 * a new boot id (HAWKBIT_RAUC_BOOT_ID_FILE, read by src/system/linux-system.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../../src/log/index.js';
import { DbusInstaller } from '../../../src/rauc/index.js';
import type { SlotStatus } from '../../../src/rauc/types.js';
import { RaucEnvironment, type BootSlot, type BundleOptions, type RaucVersion } from '../../harness/rauc-environment.js';
import { exited, tail, terminate } from '../../harness/process.js';
import { configText } from '../../helpers/config-text.js';
import type { HawkbitMgmt } from '../hawkbit-mgmt.js';
import type { MgmtAction } from '../hawkbit-mgmt-types.js';
import { createDevice, createRelease, GATEWAY_TOKEN, type E2eServer, type Release } from '../support.js';

const CLI = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));

export interface AgentDeviceOptions {
  /** Readable prefix of the controller id (the RAUC version is added). */
  readonly name: string;
  /** The real RAUC the device runs. */
  readonly rauc: RaucVersion;
  /** `gateway`: the agent authenticates with the tenant's gateway token instead of the target's. */
  readonly auth?: 'target' | 'gateway';
  /** Extra or replaced `[client]` keys (null removes one). */
  readonly client?: Record<string, string | null>;
}

export class AgentDevice {
  readonly #output = tail(30_000);
  #agent: ChildProcess | undefined;
  #boots = 0;

  private constructor(
    readonly server: E2eServer,
    readonly mgmt: HawkbitMgmt,
    readonly controllerId: string,
    readonly dir: string,
    readonly rauc: RaucEnvironment,
  ) {}

  static async create(server: E2eServer, mgmt: HawkbitMgmt, options: AgentDeviceOptions): Promise<AgentDevice> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm run test:e2e does)`);
    const target = await createDevice(server, mgmt, `${options.name}-rauc${options.rauc.replace('.', '')}`);
    const dir = await mkdtemp(join(tmpdir(), 'hr-e2e-agent-'));
    let rauc: RaucEnvironment;
    try {
      rauc = await RaucEnvironment.start({ version: options.rauc, bootSlot: 'A', dir: join(dir, 'rauc'), shared: [dir] });
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    const device = new AgentDevice(server, mgmt, target.controllerId, dir, rauc);
    const auth: Record<string, string> = options.auth === 'gateway' ? { gateway_token: GATEWAY_TOKEN } : { auth_token: target.token };
    const text = configText({
      client: {
        hawkbit_server: new URL(server.url).host,
        ssl: 'false',
        tenant_id: 'DEFAULT',
        target_name: target.controllerId,
        auth_token: null,
        ...auth,
        bundle_download_location: device.bundlePath,
        state_dir: join(dir, 'state'),
        retry_wait: '1',
        active_poll_interval: '1',
        log_level: 'debug',
        ...options.client,
      },
      device: { product: 'e2e board', serial: target.controllerId },
    });
    await mkdir(join(dir, 'downloads'));
    await writeFile(device.configPath, text);
    await device.#newBootId();
    return device;
  }

  get configPath(): string {
    return join(this.dir, 'hawkbit-rauc.conf');
  }

  get bundlePath(): string {
    return join(this.dir, 'downloads', 'update.raucb');
  }

  get #bootIdFile(): string {
    return join(this.dir, 'boot_id');
  }

  /** What the agent printed (the last 30 000 characters), for assertion messages. */
  get output(): string {
    return this.#output.text;
  }

  /** A signed bundle built by real RAUC, uploaded as a distribution set. */
  async release(options: BundleOptions): Promise<Release> {
    const path = await this.rauc.buildBundle(options);
    return createRelease(this.mgmt, { content: await readFile(path), version: options.version, filename: `rootfs-${options.version}.raucb` });
  }

  /** Starts `node dist/cli.js -c <config>` on RAUC's bus with the current simulated boot id. */
  startAgent(): void {
    if (this.#agent && this.#agent.exitCode === null && this.#agent.signalCode === null) throw new Error('the agent is already running');
    this.#output.push(`\n--- agent start (boot ${this.#boots}) ---\n`);
    const child = spawn(process.execPath, [CLI, '-c', this.configPath], {
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

  /** Waits until the action is closed (not active any more) and returns it. */
  actionClosed(actionId: number, timeoutMs?: number): Promise<MgmtAction> {
    return this.waitFor(
      `action ${actionId} to close`,
      async () => {
        const action = await this.mgmt.getAction(this.controllerId, actionId);
        return action.active ? undefined : action;
      },
      timeoutMs,
    );
  }

  /** Every message of the action's status history, oldest first. */
  async messages(actionId: number): Promise<string[]> {
    const history = await this.mgmt.getActionStatus(this.controllerId, actionId);
    return history.reverse().flatMap((entry) => entry.messages);
  }

  /** Waits until a status-history message matches `pattern`; returns all messages. */
  messageMatching(actionId: number, pattern: RegExp, timeoutMs?: number): Promise<string[]> {
    return this.waitFor(
      `a message matching ${pattern} for action ${actionId}`,
      async () => {
        const messages = await this.messages(actionId);
        return messages.some((message) => pattern.test(message)) ? messages : undefined;
      },
      timeoutMs,
    );
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

  /** The slot written by an installation from A: rootfs.1. */
  async slot(name: string): Promise<SlotStatus | undefined> {
    return (await this.slots()).find((slot) => slot.name === name);
  }

  async stop(): Promise<void> {
    if (this.#agent) await terminate(this.#agent, 10_000).catch(() => undefined);
    await this.rauc.stop().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Resolves when the agent process exited (for tests that expect it to). */
  async agentExited(): Promise<number | null> {
    if (!this.#agent) return null;
    await exited(this.#agent);
    return this.#agent.exitCode;
  }
}
