import type { RaucFeatures } from './features.js';

/** RAUC's Progress property: percentage, message, nesting depth. */
export interface InstallProgress {
  readonly percentage: number;
  readonly message: string;
  readonly depth: number;
}

export interface InstallOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: InstallProgress) => void;
  /** InstallBundle args (a{sv}); only keys RAUC knows. */
  readonly args?: InstallArgs;
}

export interface InstallArgs {
  readonly ignoreCompatible?: boolean;
  /** For streaming: full header lines, e.g. `Authorization: TargetToken …`. */
  readonly httpHeaders?: readonly string[];
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  readonly tlsNoVerify?: boolean;
  /**
   * RAUC's `transaction-id` (1.10+), recorded as the slot's `installed.transaction`. Sent only to a RAUC
   * that takes it (features()); without that, the install goes on without it (InstallResult says so).
   */
  readonly transactionId?: string;
}

export interface InstallResult {
  /** The transaction id RAUC took for this install; undefined when this RAUC has no transaction-id. */
  readonly transactionId: string | undefined;
}

export interface SlotStatus {
  /** e.g. `rootfs.1`. */
  readonly name: string;
  readonly class: string | undefined;
  readonly bootname: string | undefined;
  /** `booted`, `active`, `inactive`. */
  readonly state: string | undefined;
  /** `good` / `bad`. */
  readonly bootStatus: string | undefined;
  readonly bundleVersion: string | undefined;
  readonly bundleCompatible: string | undefined;
  readonly sha256: string | undefined;
  /** `bundle.hash`: the installed bundle's manifest hash (RAUC 1.9+). Optional for objects made by hand. */
  readonly bundleHash?: string | undefined;
  /** `installed.transaction`: the transaction of the install that wrote the slot (RAUC 1.10+). Optional for objects made by hand. */
  readonly transaction?: string | undefined;
  /** Every property as RAUC sent it (Variants unwrapped, uint64 as bigint). */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface RaucProperties {
  readonly operation: string;
  readonly lastError: string;
  readonly compatible: string;
  readonly variant: string;
  /** Bootname of the booted slot, e.g. `A`. */
  readonly bootSlot: string;
}

export interface BundleInfo {
  readonly compatible: string;
  readonly version: string;
}

/** InspectBundle's answer (RAUC 1.9+; the manifest hash since 1.10). */
export interface BundleInspection extends BundleInfo {
  /** SHA-256 of the signed manifest: what the slot status shows as `bundle.hash` after the install. */
  readonly manifestHash: string | undefined;
  /** `plain`, `verity`, `crypt`. */
  readonly format: string | undefined;
  /** The whole answer, Variants unwrapped. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/**
 * What the agent needs of RAUC. DbusInstaller implements it over D-Bus.
 * `install` resolves when RAUC reports Completed(0) and rejects with RaucInstallError (carrying
 * LastError) otherwise; D-Bus problems reject with RaucUnavailableError / RaucVanishedError / RaucBusyError.
 */
export interface Installer {
  install(source: string, options?: InstallOptions): Promise<InstallResult>;
  info(bundle: string, options?: CallOptions): Promise<BundleInfo>;
  /** InspectBundle; RaucUnsupportedError on a RAUC without it (see features()). */
  inspect(bundle: string, options?: CallOptions): Promise<BundleInspection>;
  /** What this RAUC offers beyond 1.8, from its introspection (read once per installer). */
  features(options?: CallOptions): Promise<RaucFeatures>;
  properties(options?: CallOptions): Promise<RaucProperties>;
  slotStatus(options?: CallOptions): Promise<readonly SlotStatus[]>;
  primary(options?: CallOptions): Promise<string>;
  mark(state: 'good' | 'bad' | 'active', slot: string, options?: CallOptions): Promise<{ slot: string; message: string }>;
  close(): Promise<void>;
}
