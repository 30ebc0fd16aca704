import type { LOG_FORMATS, LOG_LEVELS } from './keys.js';

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

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
