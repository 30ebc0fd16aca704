import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { silentLogger } from '../../src/log/index.js';
import { DbusInstaller } from '../../src/rauc/index.js';
import { FakeHawkbit, type FakeHawkbitOptions, type FakeTarget, type RecordedRequest } from '../fakes/hawkbit/index.js';
import type { DeploymentSpec } from '../fakes/hawkbit/fake-action.js';
import { FakeRaucService, type FakeRaucOptions } from '../fakes/rauc/fake-rauc-service.js';
import { startPrivateBus } from '../harness/dbus-daemon.js';
import { exited, tail, terminate } from '../harness/process.js';
import { RaucEnvironment, type RaucVersion } from '../harness/rauc-environment.js';
import { feedbackChain } from './agent-harness.js';
import { configText } from './config-text.js';
import { CLI, runCli } from './run-cli.js';

const TOKEN = 'matrix-target-token-4b9e';

export interface DeviceOptions {
  /** `fake`: the RAUC test service (in this process, on a private bus); a version: real RAUC. */
  readonly rauc: 'fake' | RaucVersion;
  /** Extra `[client]` keys of the first config (see `writeConfig` for later ones). */
  readonly client?: Record<string, string>;
  readonly fakeRauc?: Partial<Omit<FakeRaucOptions, 'busAddress'>>;
  readonly hawkbit?: Partial<FakeHawkbitOptions>;
}

/**
 * One simulated device for black-box lifecycle tests: the built service (`dist/cli.js`) as child
 * processes that a test starts, kills (SIGKILL) and starts again on the same state directory, against
 * the fake hawkBit and RAUC (the test service or real RAUC 1.8/1.13), with a boot id file for reboots.
 * Assertions read only what the other side recorded: the server's feedback and RAUC's slot status.
 */
export class AgentDevice {
  readonly output = tail(100_000);
  readonly children: ChildProcess[] = [];
  readonly #requestListeners: ((request: RecordedRequest) => void)[] = [];
  hb!: FakeHawkbit;
  target!: FakeTarget;
  fakeRauc: FakeRaucService | undefined;
  realRauc: RaucEnvironment | undefined;
  #installer!: DbusInstaller;
  #env: Readonly<Record<string, string>> = {};
  #client: Record<string, string> = {};

  private constructor(readonly dir: string) {}

  static async start(t: ExecutionContext, options: DeviceOptions): Promise<AgentDevice> {
    const device = new AgentDevice(await mkdtemp(join(tmpdir(), 'hr-matrix-')));
    const stops: (() => Promise<unknown>)[] = [];
    t.teardown(async () => {
      for (const child of device.children) await terminate(child, 2_000).catch(() => undefined);
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await rm(device.dir, { recursive: true, force: true });
    });
    device.hb = await FakeHawkbit.start({ pollingSleep: '00:00:01', ...options.hawkbit, onRequest: (request) => {
      options.hawkbit?.onRequest?.(request);
      for (const listener of device.#requestListeners) listener(request);
    } });
    stops.push(() => device.hb.close());
    device.target = device.hb.addTarget('device-matrix', { token: TOKEN });
    if (options.rauc === 'fake') {
      const bus = await startPrivateBus();
      stops.push(() => bus.stop());
      device.fakeRauc = await FakeRaucService.start({ busAddress: bus.address, compatible: 'Test Device', bundle: { version: '2.0' }, ...options.fakeRauc });
      stops.push(() => device.fakeRauc!.stop());
      device.#env = bus.env;
      device.#installer = new DbusInstaller({ bus: { address: bus.address }, log: silentLogger() });
    } else {
      device.realRauc = await RaucEnvironment.start({ version: options.rauc, bootSlot: 'A', dir: join(device.dir, 'rauc'), shared: [device.dir] });
      stops.push(() => device.realRauc!.stop());
      device.#env = device.realRauc.env;
      device.#installer = new DbusInstaller({ bus: { address: device.realRauc.busAddress }, log: silentLogger() });
    }
    stops.push(() => device.#installer.close());
    await mkdir(device.downloads);
    await device.#newBootId();
    await device.writeConfig(options.client ?? {});
    return device;
  }

  get downloads(): string {
    return join(this.dir, 'downloads');
  }

  get config(): string {
    return join(this.dir, 'hawkbit-rauc.conf');
  }

  /** Rewrites the config file: the base keys plus `client` (a restart then reads it). */
  async writeConfig(client: Record<string, string>): Promise<void> {
    this.#client = client;
    await writeFile(this.config, configText({
      client: {
        hawkbit_server: this.hb.hostPort,
        ssl: 'false',
        tenant_id: this.hb.tenant,
        target_name: 'device-matrix',
        auth_token: TOKEN,
        bundle_download_location: join(this.downloads, 'update.raucb'),
        state_dir: join(this.dir, 'state'),
        retry_wait: '1',
        active_poll_interval: '1',
        resume_downloads: 'true',
        log_level: 'debug',
        ...this.#client,
      },
    }), { mode: 0o600 });
  }

  /** Called with every request the server receives, before it answers (it may add faults for that request). */
  onRequest(listener: (request: RecordedRequest) => void): void {
    this.#requestListeners.push(listener);
  }

  /** A forced (or `spec`-shaped) deployment of one bundle `rootfs` 2.0: a real signed bundle for real RAUC. */
  async pushUpdate(spec: Partial<DeploymentSpec> = {}, size = 256 * 1024): Promise<string> {
    const content = this.realRauc ? await readFile(await this.realRauc.buildBundle({ version: '2.0' })) : randomBytes(size);
    return this.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs-2.0.raucb', content }] }], ...spec }).actionId;
  }

  /** Pushes the update and runs the service (with `verify_after_reboot` on) until it waits for the reboot. */
  async untilRebootPending(): Promise<{ actionId: string; child: ChildProcess }> {
    const actionId = await this.pushUpdate();
    const child = this.start();
    await this.waitForMessage(actionId, /waiting for a reboot to verify it$/);
    return { actionId, child };
  }

  /** Starts the service (`node dist/cli.js -c <config>`); `env` e.g. HAWKBIT_RAUC_TEST_PAUSE_AT. */
  start(env: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = spawn(process.execPath, [CLI, '-c', this.config], {
      env: { ...process.env, ...this.#env, HAWKBIT_RAUC_BOOT_ID_FILE: join(this.dir, 'boot_id'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = this.children.length + 1;
    this.output.push(`--- run ${run} (pid ${child.pid}) ---\n`);
    child.stdout!.on('data', (chunk: Buffer) => this.output.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.children.push(child);
    return child;
  }

  /** Polls `check` every 50 ms; fails naming `what`, with the services' output. */
  async waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${this.output.text.slice(-8_000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits until the services printed `text` (since the start of `child`, if given). */
  async waitForOutput(text: string, timeoutMs = 60_000): Promise<void> {
    await this.waitFor(`'${text}' in the output`, () => this.output.text.includes(text), timeoutMs);
  }

  /** Waits until the server holds a feedback entry of `actionId` whose chain entry matches `pattern`. */
  async waitForFeedback(actionId: string, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    await this.waitFor(`feedback ${pattern} for action ${actionId}`, () => this.chain(actionId).some((entry) => pattern.test(entry)), timeoutMs);
  }

  /** Waits until a feedback detail of `actionId` the server recorded matches `pattern`. */
  async waitForMessage(actionId: string, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    await this.waitFor(`a message ${pattern} of action ${actionId}`, () => this.target.action(actionId).messages.some((message) => pattern.test(message)), timeoutMs);
  }

  /** Waits until the action is over on the server (and no cancel is pending). */
  async waitForEnd(actionId: string, timeoutMs = 90_000): Promise<void> {
    await this.waitFor(`the end of action ${actionId}`, () => this.target.action(actionId).status !== 'active' && !this.target.action(actionId).canceling, timeoutMs);
  }

  /** The details of the cancel feedback the server recorded for the action. */
  cancelDetails(actionId: string): string[] {
    return this.target.feedback
      .filter((record) => record.actionId === actionId && record.kind === 'cancel')
      .flatMap((record) => (record.body as { status?: { details?: string[] } }).status?.details ?? []);
  }

  /** The status codes of the cancel feedback the server recorded for the action. */
  cancelCodes(actionId: string): (number | undefined)[] {
    return this.target.feedback
      .filter((record) => record.actionId === actionId && record.kind === 'cancel')
      .map((record) => (record.body as { status?: { code?: number } }).status?.code);
  }

  /** RAUC's Operation (`idle`, `installing`). */
  async operation(): Promise<string> {
    return (await this.#installer.properties()).operation;
  }

  /** SIGKILL, then waits until it is gone. */
  async kill(child: ChildProcess): Promise<void> {
    child.kill('SIGKILL');
    await exited(child);
    if (child.signalCode !== 'SIGKILL') throw new Error(`the service ended before the kill (exit ${child.exitCode}); output:\n${this.output.text.slice(-8_000)}`);
  }

  async stop(child: ChildProcess): Promise<void> {
    await terminate(child, 20_000);
  }

  /** `hawkbit-rauc confirm ID` on the device (confirmation_policy = manual). */
  async confirm(actionId: string): Promise<void> {
    const result = await runCli(['-c', this.config, 'confirm', actionId], { env: this.#env });
    if (result.code !== 0) throw new Error(`confirm ${actionId} failed (${result.code}): ${result.stderr}${result.stdout}`);
  }

  /** A reboot: a new boot id, and RAUC boots the slot it made primary. */
  async reboot(): Promise<void> {
    await this.#newBootId();
    const primary = await this.#installer.primary();
    const bootname = (await this.#installer.slotStatus()).find((slot) => slot.name === primary)?.bootname ?? 'A';
    if (this.fakeRauc) this.fakeRauc.bootSlot = bootname;
    else await this.realRauc!.restart({ bootSlot: bootname as 'A' | 'B' });
  }

  /** RAUC's `installed.count` of rootfs.1, from GetSlotStatus. */
  async installedCount(): Promise<number> {
    const slot = (await this.#installer.slotStatus()).find((candidate) => candidate.name === 'rootfs.1');
    const count = slot?.raw['installed.count'];
    return typeof count === 'number' || typeof count === 'bigint' ? Number(count) : 0;
  }

  async slot(name: string) {
    return (await this.#installer.slotStatus()).find((candidate) => candidate.name === name);
  }

  /** InstallBundle calls the RAUC test service received (real RAUC: use installedCount). */
  get installCalls(): number {
    return this.fakeRauc?.calls.filter((call) => call.method === 'InstallBundle' || call.method === 'Install').length ?? Number.NaN;
  }

  /** The server's record of the action's feedback, as `execution/finished` (`cancel:` for cancelAction feedback). */
  chain(actionId: string): string[] {
    return feedbackChain(this.target, actionId);
  }

  /** Final results the server recorded for the action: `closed` feedback on either resource. */
  finals(actionId: string): string[] {
    return this.chain(actionId).filter((entry) => /^(cancel:)?closed\//.test(entry));
  }

  /** Files left in the download directory. */
  async leftovers(): Promise<string[]> {
    return readdir(this.downloads);
  }

  /** Waits until a `.part` file in the download directory holds at least `bytes`. */
  async waitForPartFile(bytes: number): Promise<void> {
    await this.waitFor(`a part file of ${bytes} bytes or more`, async () => {
      for (const name of await this.leftovers()) {
        if (name.endsWith('.part') && ((await stat(join(this.downloads, name)).catch(() => undefined))?.size ?? 0) >= bytes) return true;
      }
      return false;
    });
  }

  /** Waits until the download directory is empty (the agent cleans up after the final result). */
  async waitForNoLeftovers(timeoutMs = 30_000): Promise<void> {
    await this.waitFor('an empty download directory', async () => (await this.leftovers()).length === 0, timeoutMs);
  }

  async #newBootId(): Promise<void> {
    await writeFile(join(this.dir, 'boot_id'), `${randomUUID()}\n`);
  }
}

/**
 * What every row of the matrices ends with, as the other side recorded it: the action's state on the
 * server, exactly one final result, RAUC's installed.count of rootfs.1 (and, on the test service, its
 * install calls) at `installs`, and an empty download directory.
 */
export async function assertSettled(t: ExecutionContext, device: AgentDevice, actionId: string, expected: { status: 'finished' | 'canceled' | 'error'; installs: 0 | 1 }): Promise<void> {
  const chain = device.chain(actionId).join(' ');
  t.is(device.target.action(actionId).status, expected.status, chain);
  t.is(device.finals(actionId).length, 1, `exactly one final result: ${chain}`);
  t.is(await device.installedCount(), expected.installs, "RAUC's installed.count of rootfs.1");
  if (device.fakeRauc) t.is(device.installCalls, expected.installs, 'InstallBundle calls the RAUC test service received');
  await device.waitForNoLeftovers().catch(() => undefined);
  t.deepEqual(await device.leftovers(), [], 'nothing left in the download directory');
}

/** assertSettled for an update verified after the reboot: one `closed`/`success`, rootfs.1 booted and good. */
export async function assertVerified(t: ExecutionContext, device: AgentDevice, actionId: string): Promise<void> {
  t.deepEqual(device.finals(actionId), ['closed/success']);
  t.like(await device.slot('rootfs.1'), { state: 'booted', bootStatus: 'good' });
  await assertSettled(t, device, actionId, { status: 'finished', installs: 1 });
}
