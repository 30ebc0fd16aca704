import type { CONFIRMATION_POLICIES, LOG_FORMATS, LOG_LEVELS, NON_BUNDLE_POLICIES, SAME_VERSION_POLICIES } from './keys.js';

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];
export type ConfirmationPolicy = (typeof CONFIRMATION_POLICIES)[number];
export type SameVersionPolicy = (typeof SAME_VERSION_POLICIES)[number];
export type NonBundlePolicy = (typeof NON_BUNDLE_POLICIES)[number];

/** How the device authenticates to hawkBit's DDI API. */
export type Authentication =
  | { readonly kind: 'target-token'; readonly token: string }
  | { readonly kind: 'gateway-token'; readonly token: string }
  | { readonly kind: 'client-certificate' };

/** The validated, immutable configuration. Durations are milliseconds, rates bytes per second. */
export interface Config {
  /** Absolute path of the file this was read from. */
  readonly file: string;
  readonly hawkbitServer: string;
  readonly ssl: boolean;
  readonly sslVerify: boolean;
  readonly tenantId: string;
  readonly targetName: string;
  readonly auth: Authentication;
  readonly sslKey: string | undefined;
  readonly sslCert: string | undefined;
  readonly sslEngine: string | undefined;
  readonly caFile: string | undefined;
  readonly proxy: string | undefined;
  readonly bundleDownloadLocation: string | undefined;
  readonly streamBundle: boolean;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
  readonly retryWaitMs: number;
  readonly lowSpeedRate: number;
  readonly lowSpeedTimeMs: number;
  readonly downloadSpeedLimit: number;
  readonly resumeDownloads: boolean;
  readonly postUpdateReboot: boolean;
  readonly sendDownloadAuthentication: boolean;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly stateDir: string;
  readonly downloadRetries: number;
  readonly allowUnverifiedDownloads: boolean;
  /** Poll interval while an action is in progress, so that a cancel arrives quickly. */
  readonly activePollIntervalMs: number;
  /** Report the result only after a reboot into the new slot (always on with post_update_reboot). */
  readonly verifyAfterReboot: boolean;
  /** Argument vector of the local gate for soft updates (exit 0 = go); undefined = always go. */
  readonly updateGateCommand: readonly string[] | undefined;
  readonly confirmationPolicy: ConfirmationPolicy;
  /** Argument vector deciding confirmations with confirmation_policy = command (exit 0 = confirm). */
  readonly confirmationCommand: readonly string[] | undefined;
  /** An offered bundle with the booted slot's version: `skip` (report success, download nothing) or `install`. */
  readonly sameVersion: SameVersionPolicy;
  /** Install a bundle older than the booted slot's (false: refuse it before the download). */
  readonly allowDowngrade: boolean;
  /** Files of an installing action that are not RAUC bundles: `fail` the action (1004) or `skip` them and install the bundles. */
  readonly nonBundleArtifacts: NonBundlePolicy;
  /** Install a plain bundle over 2 GiB on a RAUC before 1.15.2 (CVE-2026-34155: only partly covered by its signature). */
  readonly allowLargePlainBundles: boolean;
  /** Argument vector printing the version of the RAUC the service runs (`rauc --version`). */
  readonly raucVersionCommand: readonly string[];
  /** The chunk metadata key carrying the bundle's compatible (checked against RAUC's before the download). */
  readonly compatibleMetadataKey: string;
  /** `[device]`: attributes sent to hawkBit as configData. */
  readonly device: Readonly<Record<string, string>>;
}

/** Something worth telling the user that does not stop the config from loading. */
export interface ConfigWarning {
  readonly key: string;
  readonly message: string;
}

export interface LoadedConfig {
  readonly config: Config;
  readonly warnings: readonly ConfigWarning[];
}
