import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OnceResult } from '../../src/agent/agent.js';
import { createAgent, type AgentAssembly } from '../../src/agent/create-agent.js';
import type { PersistedState } from '../../src/agent/state.js';
import { configSecrets, parseConfig, type Config } from '../../src/config/index.js';
import type { RetryPolicy } from '../../src/net/index.js';
import { createLogger, Redactor } from '../../src/log/index.js';
import { DbusInstaller } from '../../src/rauc/index.js';
import type { Clock } from '../../src/system/index.js';
import { FakeHawkbit, type FakeHawkbitOptions, type FakeTarget } from '../fakes/hawkbit/index.js';
import { FakeRaucService, type FakeRaucOptions } from '../fakes/rauc/fake-rauc-service.js';
import { FakeSystem } from '../fakes/system/fake-system.js';
import { startPrivateBus } from '../harness/dbus-daemon.js';
import { RaucEnvironment, type RaucVersion } from '../harness/rauc-environment.js';
import { Capture } from './capture.js';
import { configText } from './config-text.js';

export const TOKEN = 'scenario-target-token-5f3a';

export interface HarnessOptions {
  /** `fake`: the RAUC test service on a private bus (default); `real`: Debian's RAUC. */
  readonly rauc?: 'fake' | 'real';
  /** With `rauc: 'real'`: the RAUC version (default 1.8). */
  readonly raucVersion?: RaucVersion;
  readonly fakeRauc?: Partial<Omit<FakeRaucOptions, 'busAddress'>>;
  /** Extra or replaced `[client]` keys (null removes one). */
  readonly client?: Record<string, string | null>;
  /** Decides feedback `timestamp`s (default: the real one, which reads this machine's clock state). */
  readonly clock?: Clock;
  /** Runs the agent's progress-throttle clock this many times faster than real time (default 1). */
  readonly timeScale?: number;
  /** The DDI client's retry policy (default: the real one). */
  readonly ddiRetry?: Partial<RetryPolicy>;
  /** Extra options of the fake hawkBit (e.g. onRequest). */
  readonly hawkbit?: Partial<FakeHawkbitOptions>;
}

/**
 * The real agent (createAgent, as main.ts builds it) against the fake hawkBit and RAUC — the test
 * service or the real one — with a FakeSystem for boot ids and reboots, in a temp directory.
 */
export class AgentHarness {
  readonly logs = new Capture();
  readonly system = new FakeSystem();
  config!: Config;
  /** The config file's text (`config` is parsed from it). */
  configText!: string;
  target!: FakeTarget;
  fakeRauc: FakeRaucService | undefined;
  realRauc: RaucEnvironment | undefined;
  clock: Clock | undefined;
  timeScale = 1;
  ddiRetry: Partial<RetryPolicy> | undefined;
  #stops: (() => Promise<unknown>)[] = [];
  #busAddress!: string;

  private constructor(
    readonly hb: FakeHawkbit,
    readonly dir: string,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<AgentHarness> {
    const hb = await FakeHawkbit.start({ pollingSleep: '00:00:01', ...options.hawkbit });
    const harness = new AgentHarness(hb, await mkdtemp(join(tmpdir(), 'hr-agent-')));
    harness.#stops.push(() => hb.close(), () => rm(harness.dir, { recursive: true, force: true }));
    harness.target = hb.addTarget('device-1', { token: TOKEN });
    harness.clock = options.clock;
    harness.timeScale = options.timeScale ?? 1;
    harness.ddiRetry = options.ddiRetry;
    if (options.rauc === 'real') {
      harness.realRauc = await RaucEnvironment.start({ bootSlot: 'A', shared: [harness.dir], ...(options.raucVersion ? { version: options.raucVersion } : {}) });
      harness.#stops.unshift(() => harness.realRauc!.stop());
      harness.#busAddress = harness.realRauc.busAddress;
    } else {
      const bus = await startPrivateBus();
      harness.#stops.unshift(() => bus.stop());
      harness.fakeRauc = await FakeRaucService.start({ busAddress: bus.address, compatible: 'Test Device', ...options.fakeRauc });
      harness.#stops.unshift(() => harness.fakeRauc?.stop() ?? Promise.resolve());
      harness.#busAddress = bus.address;
    }
    const text = configText({
      client: {
        hawkbit_server: hb.hostPort,
        ssl: 'false',
        tenant_id: hb.tenant,
        target_name: 'device-1',
        auth_token: TOKEN,
        bundle_download_location: join(harness.dir, 'downloads', 'bundle.raucb'),
        state_dir: join(harness.dir, 'state'),
        retry_wait: '1',
        active_poll_interval: '1',
        resume_downloads: 'true',
        ...options.client,
      },
      device: { product: 'Scenario Board', serial: '42' },
    });
    harness.configText = text;
    harness.config = parseConfig(text, join(harness.dir, 'hawkbit-rauc.conf')).config;
    await mkdir(join(harness.dir, 'downloads'), { recursive: true });
    return harness;
  }

  /** A fresh agent over the same state directory (what a restart of the service gives). */
  assemble(onPersist?: (state: PersistedState) => void, env?: NodeJS.ProcessEnv): AgentAssembly {
    // As the CLI does: one redaction step for the log and the agent's files and feedback.
    const redactor = new Redactor(configSecrets(this.config));
    const log = createLogger({ level: 'debug', format: 'text', redactor, stream: this.logs });
    return createAgent(this.config, {
      log,
      redactor,
      installer: new DbusInstaller({ bus: { address: this.#busAddress }, log }),
      system: this.system,
      ...(this.clock ? { clock: this.clock } : {}),
      ...(this.timeScale !== 1 ? { now: scaledNow(this.timeScale) } : {}),
      ...(this.ddiRetry ? { ddiRetry: this.ddiRetry } : {}),
      ...(onPersist ? { onPersist } : {}),
      ...(env ? { env: { ...process.env, ...env } } : {}),
    });
  }

  /** Runs an agent until `done()` holds (checked every 50 ms), then stops it like SIGTERM does. */
  async runUntil(
    done: () => boolean,
    options: { timeoutMs?: number; onPersist?: (state: PersistedState, stop: () => void) => void; onStart?: (stop: () => void) => void; env?: NodeJS.ProcessEnv } = {},
  ): Promise<void> {
    const controller = new AbortController();
    const stop = () => controller.abort(new Error('stopped by the test'));
    options.onStart?.(stop);
    const assembly = this.assemble(options.onPersist ? (state) => options.onPersist!(state, stop) : undefined, options.env);
    const running = assembly.agent.run(controller.signal);
    const deadline = Date.now() + (options.timeoutMs ?? 90_000);
    try {
      while (!done() && !controller.signal.aborted) {
        if (Date.now() > deadline) throw new Error(`condition not reached in ${options.timeoutMs ?? 90_000} ms; log:\n${this.logs.text.slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      stop();
      // A crash injected by the test may end the run with its error: that is the simulated kill.
      await running.catch((error: unknown) => {
        if (!controller.signal.aborted) throw error;
      });
      await assembly.close();
    }
  }

  /** Runs the agent (restarting it as often as needed) until the action is over, rebooting when it asks. */
  async driveToEnd(actionId: string, timeoutMs = 120_000): Promise<void> {
    for (let run = 0; run < 4 && this.target.action(actionId).status === 'active'; run++) {
      const reboots = this.system.reboots.length;
      await this.runUntil(() => this.target.action(actionId).status !== 'active' || this.system.reboots.length > reboots, { timeoutMs });
      if (this.system.reboots.length > reboots) await this.reboot();
    }
  }

  async runOnce(): Promise<OnceResult> {
    const assembly = this.assemble();
    try {
      return await assembly.agent.runOnce(new AbortController().signal);
    } finally {
      await assembly.close();
    }
  }

  /** "Reboot": a new boot id, and RAUC now boots the slot it made primary. */
  async reboot(): Promise<void> {
    this.system.boot();
    const installer = new DbusInstaller({ bus: { address: this.#busAddress }, log: createLogger({ level: 'error', format: 'text', stream: this.logs }) });
    const primary = await installer.primary();
    const bootname = (await installer.slotStatus()).find((slot) => slot.name === primary)?.bootname ?? 'A';
    await installer.close();
    if (this.fakeRauc) this.fakeRauc.bootSlot = bootname;
    else await this.realRauc!.restart({ bootSlot: bootname as 'A' | 'B' });
  }

  /** A reboot in which the bootloader fell back to the old slot. */
  async rebootIntoOldSlot(): Promise<void> {
    this.system.boot();
    if (this.realRauc) await this.realRauc.restart({ bootSlot: 'A' });
  }

  async stop(): Promise<void> {
    for (const stop of this.#stops) await stop().catch(() => undefined);
  }
}

/** A clock that starts now and runs `scale` times faster. */
function scaledNow(scale: number): () => number {
  const start = Date.now();
  return () => start + (Date.now() - start) * scale;
}

/** The chunks of an action with two bundles: the system image (`os`) and an application. */
export function twoBundleChunks(content: Buffer, appVersion: string) {
  return [
    { part: 'os', name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs.raucb', content }] },
    { part: 'bApp', name: 'app', version: appVersion, artifacts: [{ filename: 'app.raucb', content }] },
  ];
}

/** The `status.execution/finished` pairs of every feedback the target got for an action, in order. */
export function feedbackChain(target: FakeTarget, actionId: string): string[] {
  return target.feedback
    .filter((record) => record.actionId === actionId)
    .map((record) => {
      const body = record.body as { status?: { execution?: string; result?: { finished?: string } }; confirmation?: string };
      return record.kind === 'confirmation' ? `confirmation:${body.confirmation}` : `${record.kind === 'cancel' ? 'cancel:' : ''}${body.status?.execution}/${body.status?.result?.finished}`;
    });
}
