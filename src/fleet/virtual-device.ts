import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createAgent, type ArtifactDownloader, type PersistedState } from '../agent/index.js';
import type { Config } from '../config/index.js';
import type { SlotPoolCache } from '../download/index.js';
import { delay, linkSignals } from '../lib/abort.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger, Redactor } from '../log/index.js';
import type { Transport } from '../net/index.js';
import type { Clock } from '../system/index.js';
import type { VirtualDevice } from './roster.js';
import { MemoryStatusBoard } from './memory-status.js';
import { SimulatedRauc } from './simulated-rauc.js';
import { SimulatedSystem } from './simulated-system.js';

/** What every virtual device of a fleet shares. */
export interface DeviceEnvironment {
  readonly config: Config;
  readonly log: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly transport: Transport;
  readonly wrapDownloader: (downloader: ArtifactDownloader) => ArtifactDownloader;
  /** Download memory and hash threads kept for the next download of any device. */
  readonly downloadPools: SlotPoolCache;
  readonly compatible: string;
  readonly installMs: number;
  readonly rebootMs: number;
  /** Shared by all devices: whether the next boot into a new slot falls back to the old one. */
  readonly bootFallsBack: () => boolean;
  readonly env: NodeJS.ProcessEnv;
}

export interface DeviceHooks {
  readonly onState: (state: PersistedState) => void;
  readonly onReboot: (rolledBack: boolean) => void;
}

/** Where a device keeps its files inside the fleet directory. */
export function deviceDir(fleetDir: string, id: string): string {
  return join(fleetDir, 'devices', id);
}

/** The device's config: the fleet's, with its own controller id, credential, state and download directory. */
export function deviceConfig(base: Config, dir: string, device: VirtualDevice): Config {
  return {
    ...base,
    targetName: device.id,
    auth: device.token === undefined ? base.auth : { kind: 'target-token', token: device.token },
    stateDir: join(dir, 'state'),
    bundleDownloadLocation: join(dir, 'download', 'update.raucb'),
    streamBundle: false,
    // The simulated installer has no update gate, confirmation command or RAUC version command to ask.
    updateGateCommand: undefined,
    confirmationCommand: base.confirmationPolicy === 'command' ? undefined : base.confirmationCommand,
    confirmationPolicy: base.confirmationPolicy === 'command' ? 'auto' : base.confirmationPolicy,
    postUpdateReboot: true,
    verifyAfterReboot: true,
  };
}

/**
 * One virtual device: the real agent (createAgent: DDI client, downloader, lifecycle, state store) with a
 * simulated RAUC and system. A reboot request stops its agent as systemd would, boots the simulated
 * slots after `rebootMs` and starts a new agent on the same state directory, which verifies the boot.
 * Runs until `signal` aborts; the state stays on disk, so the next run continues.
 */
export async function runVirtualDevice(device: VirtualDevice, fleetDir: string, installFails: () => boolean, environment: DeviceEnvironment, hooks: DeviceHooks, signal: AbortSignal): Promise<void> {
  const dir = deviceDir(fleetDir, device.id);
  await mkdir(join(dir, 'download'), { recursive: true, mode: 0o700 });
  const config = deviceConfig(environment.config, dir, device);
  const log = environment.log.child({ device: device.id });
  let store: { phase: PersistedState['phase'] } | undefined;
  const rauc = new SimulatedRauc({
    dir,
    compatible: environment.compatible,
    installMs: environment.installMs,
    installFails,
    bootFallsBack: environment.bootFallsBack,
    // RAUC reads the version from the bundle's manifest; the simulated bundle carries the server's.
    versionOf: (bundle) => bundleVersion(store?.phase, bundle),
  });
  await rauc.load();
  while (!signal.aborted) {
    const reboot = new AbortController();
    const system = new SimulatedSystem(rauc, () => setImmediate(() => reboot.abort()));
    const linked = linkSignals([signal, reboot.signal]);
    const assembly = createAgent(config, {
      log,
      env: environment.env,
      installer: rauc,
      system,
      clock: environment.clock,
      redactor: environment.redactor,
      transport: environment.transport,
      wrapDownloader: environment.wrapDownloader,
      downloadPools: environment.downloadPools,
      onPersist: hooks.onState,
      status: new MemoryStatusBoard(),
    });
    store = assembly.deps.store;
    try {
      await assembly.agent.run(linked.signal);
    } catch (error) {
      // run() resolves on abort; anything else is a bug worth seeing, and the device starts again.
      if (!linked.signal.aborted) log.error(`virtual device ${device.id}: the agent stopped: ${errorMessage(error)}`);
    } finally {
      linked.dispose();
      await assembly.close();
    }
    if (signal.aborted) break;
    if (!reboot.signal.aborted) {
      await delay(1000, { signal }).catch(() => undefined);
      continue;
    }
    // The machine goes down now: the next boot is decided at once, so a stop during the reboot keeps it.
    const { rolledBack } = await rauc.boot();
    hooks.onReboot(rolledBack);
    log.message(`simulated reboot${rolledBack ? ': the bootloader fell back to the old slot' : ''}`);
    await delay(environment.rebootMs, { signal }).catch(() => undefined);
  }
}

function bundleVersion(phase: PersistedState['phase'] | undefined, bundle: string): string | undefined {
  if (phase === undefined || phase.kind === 'idle') return undefined;
  return phase.action.bundles.find((entry) => entry.path === bundle)?.version;
}
