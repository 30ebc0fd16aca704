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

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/**
 * What the agent needs of RAUC. DbusInstaller implements it over D-Bus.
 * `install` resolves when RAUC reports Completed(0) and rejects with RaucInstallError (carrying
 * LastError) otherwise; D-Bus problems reject with RaucUnavailableError / RaucVanishedError / RaucBusyError.
 */
export interface Installer {
  install(source: string, options?: InstallOptions): Promise<void>;
  info(bundle: string, options?: CallOptions): Promise<BundleInfo>;
  properties(options?: CallOptions): Promise<RaucProperties>;
  slotStatus(options?: CallOptions): Promise<readonly SlotStatus[]>;
  primary(options?: CallOptions): Promise<string>;
  mark(state: 'good' | 'bad' | 'active', slot: string, options?: CallOptions): Promise<{ slot: string; message: string }>;
  close(): Promise<void>;
}
