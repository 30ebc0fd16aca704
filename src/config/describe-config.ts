import { pinOf, redactKeyId } from '../lib/openssl-engine.js';
import { PROXY_VARIABLES, withProxyScheme } from '../lib/proxy-url.js';
import { CLIENT_KEYS } from './keys.js';
import { redactUrl } from './parse-value.js';
import type { Config } from './types.js';

export const REDACTED = '<redacted>';

/**
 * The effective configuration as a config file (every key, defaults filled in), secrets redacted:
 * what `--check-config` prints.
 */
export function describeConfig(config: Config): string {
  const values = effectiveValues(config);
  const lines = ['[client]'];
  for (const { key } of CLIENT_KEYS) {
    const value = values[key];
    if (value !== undefined) lines.push(`${key} = ${value}`);
  }
  lines.push('', '[device]');
  for (const [key, value] of Object.entries(config.device)) lines.push(`${key} = ${value}`);
  return `${lines.join('\n')}\n`;
}

function effectiveValues(config: Config): Record<string, string | undefined> {
  const seconds = (ms: number) => String(ms / 1000);
  return {
    hawkbit_server: config.hawkbitServer,
    ssl: String(config.ssl),
    ssl_verify: String(config.sslVerify),
    ssl_key: config.sslKey === undefined ? undefined : redactKeyId(config.sslKey),
    ssl_cert: config.sslCert,
    ssl_engine: config.sslEngine,
    auth_token: config.auth.kind === 'target-token' ? REDACTED : undefined,
    gateway_token: config.auth.kind === 'gateway-token' ? REDACTED : undefined,
    target_name: config.targetName,
    tenant_id: config.tenantId,
    bundle_download_location: config.bundleDownloadLocation,
    connect_timeout: seconds(config.connectTimeoutMs),
    timeout: seconds(config.timeoutMs),
    retry_wait: seconds(config.retryWaitMs),
    low_speed_rate: String(config.lowSpeedRate),
    low_speed_time: seconds(config.lowSpeedTimeMs),
    download_speed_limit: String(config.downloadSpeedLimit),
    resume_downloads: String(config.resumeDownloads),
    stream_bundle: String(config.streamBundle),
    log_level: config.logLevel,
    post_update_reboot: String(config.postUpdateReboot),
    send_download_authentication: String(config.sendDownloadAuthentication),
    ca_file: config.caFile,
    proxy: config.proxy === undefined ? undefined : redactUrl(config.proxy),
    state_dir: config.stateDir,
    log_format: config.logFormat,
    download_retries: String(config.downloadRetries),
    allow_unverified_downloads: String(config.allowUnverifiedDownloads),
    active_poll_interval: seconds(config.activePollIntervalMs),
    verify_after_reboot: String(config.verifyAfterReboot),
    update_gate_command: config.updateGateCommand?.map(quoteWord).join(' '),
    confirmation_policy: config.confirmationPolicy,
    confirmation_command: config.confirmationCommand?.map(quoteWord).join(' '),
    same_version: config.sameVersion,
    allow_downgrade: String(config.allowDowngrade),
    non_bundle_artifacts: config.nonBundleArtifacts,
    allow_large_plain_bundles: String(config.allowLargePlainBundles),
    rauc_version_command: config.raucVersionCommand.map(quoteWord).join(' '),
    compatible_metadata_key: config.compatibleMetadataKey,
  };
}

/**
 * The secret strings of a config, for the redaction step: the target or gateway token, and the password
 * of the proxy URL (`proxy`, or the proxy variables in `env` the transport would use).
 */
export function configSecrets(config: Config, env: Readonly<Record<string, string | undefined>> = {}): string[] {
  const secrets: string[] = [];
  if (config.auth.kind !== 'client-certificate') secrets.push(config.auth.token);
  const pin = config.sslKey === undefined ? undefined : pinOf(config.sslKey);
  if (pin !== undefined) secrets.push(pin);
  const proxies = config.proxy !== undefined ? [config.proxy] : PROXY_VARIABLES.map((name) => env[name]);
  for (const proxy of proxies) {
    const password = proxy === undefined ? '' : proxyPassword(proxy);
    if (password) secrets.push(password, safeDecode(password));
  }
  return [...new Set(secrets)];
}

function proxyPassword(value: string): string {
  try {
    return new URL(withProxyScheme(value)).password;
  } catch {
    return '';
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function quoteWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
