import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { delay } from '../lib/abort.js';
import { writeFileAtomic } from '../lib/atomic-file.js';
import { systemErrorCode } from '../lib/errors.js';
import {
  RaucInstallError,
  type BundleInfo,
  type BundleInspection,
  type CallOptions,
  type Installer,
  type InstallOptions,
  type InstallResult,
  type RaucFeatures,
  type RaucProperties,
  type SlotStatus,
} from '../rauc/index.js';
import { isoTime } from '../lib/iso-time.js';

/** What the simulated RAUC keeps on disk (`rauc.json` in the device's directory), so a restart finds it. */
interface SlotRecord {
  readonly name: string;
  readonly bootname: string;
  bundleVersion: string | undefined;
  installedCount: number;
  installedTimestamp: string | undefined;
  transaction: string | undefined;
  bootStatus: 'good' | 'bad';
}

interface RaucRecord {
  readonly slots: SlotRecord[];
  booted: string;
  primary: string;
  bootId: string;
}

export const SIMULATED_RAUC_FILE = 'rauc.json';

export interface SimulatedRaucOptions {
  /** The device's directory (holds rauc.json). */
  readonly dir: string;
  readonly compatible: string;
  /** How long one installation takes; progress is reported in ten steps over it. */
  readonly installMs: number;
  /** Whether the next installation fails (the fleet spreads its failure rate evenly, see EvenSpread). */
  readonly installFails: () => boolean;
  /** Whether the next boot into a new slot falls back to the old one (the bootloader rolled back). */
  readonly bootFallsBack: () => boolean;
  /** The bundle version RAUC would read from the manifest: the fleet answers from the agent's record. */
  readonly versionOf: (bundle: string) => string | undefined;
}

/**
 * An `Installer` without RAUC for virtual devices: two slots (A and B), an installation that writes the
 * inactive one with progress over `installMs` and fails when `installFails` says so (with a RAUC-like
 * LastError), a transaction id recorded per slot as RAUC 1.10+ does, and a boot (boot()) that starts
 * the primary slot — or, when `bootFallsBack` says so, the old one. Its state is persisted on every change.
 */
export class SimulatedRauc implements Installer {
  readonly #options: SimulatedRaucOptions;
  #record: RaucRecord | undefined;
  #operation: 'idle' | 'installing' = 'idle';
  #lastError = '';

  constructor(options: SimulatedRaucOptions) {
    this.#options = options;
  }

  /** Reads rauc.json (a fresh device: slot A booted, no bundle version, as a factory image). */
  async load(): Promise<void> {
    try {
      this.#record = JSON.parse(await readFile(join(this.#options.dir, SIMULATED_RAUC_FILE), 'utf8')) as RaucRecord;
    } catch (error) {
      if (systemErrorCode(error) !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
      const slot = (name: string, bootname: string): SlotRecord => ({ name, bootname, bundleVersion: undefined, installedCount: 0, installedTimestamp: undefined, transaction: undefined, bootStatus: 'good' });
      this.#record = { slots: [slot('rootfs.0', 'A'), slot('rootfs.1', 'B')], booted: 'rootfs.0', primary: 'rootfs.0', bootId: randomUUID() };
      await this.#save();
    }
  }

  get bootId(): string {
    return this.#state().bootId;
  }

  /** A reboot: a new boot id, and the primary slot booted unless the bootloader rolls back. Returns whether it did. */
  async boot(): Promise<{ rolledBack: boolean }> {
    const record = this.#state();
    const rolledBack = record.primary !== record.booted && this.#options.bootFallsBack();
    if (rolledBack) {
      record.slots.find((slot) => slot.name === record.primary)!.bootStatus = 'bad';
      record.primary = record.booted;
    } else {
      record.booted = record.primary;
    }
    record.bootId = randomUUID();
    await this.#save();
    return { rolledBack };
  }

  async install(source: string, options: InstallOptions = {}): Promise<InstallResult> {
    if (this.#operation !== 'idle') throw new RaucInstallError({ resultCode: 1, lastError: 'Already processing a different method' });
    const record = this.#state();
    const target = record.slots.find((slot) => slot.name !== record.booted)!;
    this.#operation = 'installing';
    this.#lastError = '';
    try {
      const fails = this.#options.installFails();
      const steps = 10;
      for (let step = 0; step <= steps; step++) {
        options.onProgress?.({ percentage: step * 10, message: step === steps ? 'Installing done.' : `Copying image to ${target.name}`, depth: 1 });
        if (step === steps) break;
        if (fails && step === steps / 2) {
          this.#lastError = `Installation error: failed updating slot ${target.name}: simulated write error (fleet failure rate)`;
          target.bootStatus = 'bad';
          await this.#save();
          throw new RaucInstallError({ resultCode: 1, lastError: this.#lastError });
        }
        await delay(this.#options.installMs / steps, options);
      }
      target.bundleVersion = this.#options.versionOf(source);
      target.installedCount += 1;
      target.installedTimestamp = isoTime();
      target.transaction = options.args?.transactionId ?? randomUUID();
      target.bootStatus = 'good';
      record.primary = target.name;
      await this.#save();
      return { transactionId: target.transaction };
    } finally {
      this.#operation = 'idle';
    }
  }

  async info(bundle: string): Promise<BundleInfo> {
    return { compatible: this.#options.compatible, version: this.#options.versionOf(bundle) ?? '' };
  }

  async inspect(bundle: string): Promise<BundleInspection> {
    const info = await this.info(bundle);
    return { ...info, manifestHash: undefined, format: 'verity', raw: {} };
  }

  async features(): Promise<RaucFeatures> {
    return { methods: {}, inspectBundle: true, transactionId: 'yes', requireManifestHash: 'no' };
  }

  async properties(): Promise<RaucProperties> {
    const record = this.#state();
    const bootSlot = record.slots.find((slot) => slot.name === record.booted)!.bootname;
    return { operation: this.#operation, lastError: this.#lastError, compatible: this.#options.compatible, variant: '', bootSlot };
  }

  async slotStatus(): Promise<readonly SlotStatus[]> {
    const record = this.#state();
    return record.slots.map((slot) => {
      const state = slot.name === record.booted ? 'booted' : 'inactive';
      const raw: Record<string, unknown> = {
        bootname: slot.bootname,
        state,
        'boot-status': slot.bootStatus,
        status: 'ok',
        'installed.count': slot.installedCount,
        ...(slot.bundleVersion === undefined ? {} : { 'bundle.version': slot.bundleVersion, 'bundle.compatible': this.#options.compatible }),
        ...(slot.installedTimestamp === undefined ? {} : { 'installed.timestamp': slot.installedTimestamp }),
        ...(slot.transaction === undefined ? {} : { 'installed.transaction': slot.transaction }),
      };
      return {
        name: slot.name,
        class: 'rootfs',
        bootname: slot.bootname,
        state,
        bootStatus: slot.bootStatus,
        bundleVersion: slot.bundleVersion,
        bundleCompatible: slot.bundleVersion === undefined ? undefined : this.#options.compatible,
        sha256: undefined,
        transaction: slot.transaction,
        raw,
      };
    });
  }

  async primary(): Promise<string> {
    return this.#state().primary;
  }

  async mark(state: 'good' | 'bad' | 'active', slot: string, _options?: CallOptions): Promise<{ slot: string; message: string }> {
    const record = this.#state();
    const name = slot === 'booted' ? record.booted : slot === 'other' ? record.slots.find((entry) => entry.name !== record.booted)!.name : slot;
    const entry = record.slots.find((candidate) => candidate.name === name);
    if (!entry) throw new RaucInstallError({ resultCode: 1, lastError: `No slot with name '${slot}' found` });
    if (state === 'active') record.primary = entry.name;
    else entry.bootStatus = state;
    await this.#save();
    return { slot: entry.name, message: `marked slot ${entry.name} as ${state}` };
  }

  async close(): Promise<void> {}

  #state(): RaucRecord {
    if (!this.#record) throw new Error('internal: SimulatedRauc used before load()');
    return this.#record;
  }

  #save(): Promise<void> {
    return writeFileAtomic(join(this.#options.dir, SIMULATED_RAUC_FILE), `${JSON.stringify(this.#record)}\n`);
  }
}
