/**
 * Every `[client]` key we read: rauc-hawkbit-updater's keys (same names, defaults and parsing) followed
 * by our own. The order is the order in which keys are validated, so the first error reported matches
 * the one rauc-hawkbit-updater reports for the same file. docs/configuration.md documents each entry
 * (a unit test keeps the two in step).
 */
export type KeyType = 'string' | 'path' | 'bool' | 'int' | 'enum' | 'url';

export interface KeyDefinition {
  readonly key: string;
  readonly type: KeyType;
  /** Default as written in a config file; undefined = no default (optional or required, see `required`). */
  readonly default?: string;
  readonly required?: boolean;
  /** Allowed values for `enum` keys. */
  readonly values?: readonly string[];
  /** Minimum for `int` keys (inclusive). */
  readonly min?: number;
  /** Never printed, logged or sent anywhere. */
  readonly secret?: boolean;
  /** Also a rauc-hawkbit-updater key. */
  readonly rhu: boolean;
}

export const LOG_LEVELS = ['error', 'critical', 'warning', 'message', 'info', 'debug'] as const;
export const LOG_FORMATS = ['text', 'json', 'journal'] as const;
export const CONFIRMATION_POLICIES = ['auto', 'command', 'manual'] as const;
export const SAME_VERSION_POLICIES = ['skip', 'install'] as const;
export const NON_BUNDLE_POLICIES = ['fail', 'skip'] as const;

export const CLIENT_KEYS: readonly KeyDefinition[] = [
  { key: 'hawkbit_server', type: 'string', required: true, rhu: true },
  { key: 'ssl', type: 'bool', default: 'true', rhu: true },
  { key: 'ssl_verify', type: 'bool', default: 'true', rhu: true },
  { key: 'ssl_key', type: 'string', rhu: true },
  { key: 'ssl_cert', type: 'path', rhu: true },
  { key: 'ssl_engine', type: 'string', rhu: true },
  { key: 'auth_token', type: 'string', secret: true, rhu: true },
  { key: 'gateway_token', type: 'string', secret: true, rhu: true },
  { key: 'target_name', type: 'string', required: true, rhu: true },
  { key: 'tenant_id', type: 'string', default: 'DEFAULT', rhu: true },
  { key: 'bundle_download_location', type: 'path', rhu: true },
  { key: 'connect_timeout', type: 'int', default: '20', min: 0, rhu: true },
  { key: 'timeout', type: 'int', default: '60', min: 0, rhu: true },
  { key: 'retry_wait', type: 'int', default: '300', min: 1, rhu: true },
  { key: 'low_speed_rate', type: 'int', default: '100', min: 0, rhu: true },
  { key: 'low_speed_time', type: 'int', default: '60', min: 0, rhu: true },
  { key: 'download_speed_limit', type: 'int', default: '0', min: 0, rhu: true },
  { key: 'resume_downloads', type: 'bool', default: 'false', rhu: true },
  { key: 'stream_bundle', type: 'bool', default: 'false', rhu: true },
  { key: 'log_level', type: 'enum', default: 'message', values: LOG_LEVELS, rhu: true },
  { key: 'post_update_reboot', type: 'bool', default: 'false', rhu: true },
  { key: 'send_download_authentication', type: 'bool', default: 'true', rhu: true },
  // Our own keys.
  { key: 'ca_file', type: 'path', rhu: false },
  { key: 'proxy', type: 'url', secret: true, rhu: false },
  { key: 'state_dir', type: 'path', default: '/var/lib/hawkbit-rauc', rhu: false },
  { key: 'log_format', type: 'enum', default: 'text', values: LOG_FORMATS, rhu: false },
  { key: 'download_retries', type: 'int', default: '5', min: 0, rhu: false },
  { key: 'allow_unverified_downloads', type: 'bool', default: 'false', rhu: false },
  { key: 'active_poll_interval', type: 'int', default: '5', min: 1, rhu: false },
  { key: 'verify_after_reboot', type: 'bool', default: 'false', rhu: false },
  { key: 'update_gate_command', type: 'string', rhu: false },
  { key: 'confirmation_policy', type: 'enum', default: 'auto', values: CONFIRMATION_POLICIES, rhu: false },
  { key: 'confirmation_command', type: 'string', rhu: false },
  { key: 'same_version', type: 'enum', default: 'skip', values: SAME_VERSION_POLICIES, rhu: false },
  { key: 'allow_downgrade', type: 'bool', default: 'true', rhu: false },
  { key: 'non_bundle_artifacts', type: 'enum', default: 'fail', values: NON_BUNDLE_POLICIES, rhu: false },
  { key: 'allow_large_plain_bundles', type: 'bool', default: 'false', rhu: false },
  { key: 'rauc_version_command', type: 'string', default: 'rauc --version', rhu: false },
  { key: 'compatible_metadata_key', type: 'string', default: 'rauc.compatible', rhu: false },
];

export function findKey(key: string): KeyDefinition | undefined {
  return CLIENT_KEYS.find((definition) => definition.key === key);
}
