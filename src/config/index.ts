export { ConfigError, isConfigError, type ConfigErrorCode } from './config-error.js';
export { configSecrets, describeConfig, REDACTED } from './describe-config.js';
export { CLIENT_KEYS, CONFIRMATION_POLICIES, LOG_FORMATS, LOG_LEVELS, SAME_VERSION_POLICIES, type KeyDefinition } from './keys.js';
export { loadConfig, parseConfig } from './load-config.js';
export type { Authentication, Config, ConfigWarning, ConfirmationPolicy, LoadedConfig, LogFormat, LogLevel, NonBundlePolicy, SameVersionPolicy } from './types.js';
