import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { systemErrorCode } from '../lib/errors.js';
import { ConfigError } from './config-error.js';
import { checkEngineKey, engineKeyWarnings } from './engine-key.js';
import { parseIni, type IniGroups } from './ini-file.js';
import { KeyReader } from './key-reader.js';
import { CLIENT_KEYS, LOG_LEVELS } from './keys.js';
import { parseProxyUrl, parseServer, splitCommand } from './parse-value.js';
import { permissionWarnings } from './permissions.js';
import type { Authentication, Config, ConfigWarning, ConfirmationPolicy, LoadedConfig, LogFormat, LogLevel, SameVersionPolicy } from './types.js';

const SECOND = 1000;

/**
 * Reads and validates a config file (rauc-hawkbit-updater's format plus our keys).
 * Throws ConfigError: CONFIG_NOT_FOUND when the file does not exist, CONFIG_UNREADABLE, CONFIG_SYNTAX,
 * CONFIG_INVALID otherwise. Checks run in rauc-hawkbit-updater's order, so the first error matches.
 * Warns when the file holds a secret and others can read it, or the client key is world-readable.
 * With `ssl_engine`, loads the client key through the engine (a bad key id or PIN is CONFIG_INVALID).
 */
export function loadConfig(path: string): LoadedConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = systemErrorCode(error);
    throw new ConfigError(
      code === 'ENOENT'
        ? { code: 'CONFIG_NOT_FOUND', file, reason: 'No such configuration file' }
        : { code: 'CONFIG_UNREADABLE', file, reason: `cannot read the file (${code ?? 'error'})` },
      { cause: error },
    );
  }
  const loaded = parseConfig(text, file);
  checkEngineKey(loaded.config);
  const permissions = [...permissionWarnings(loaded.config), ...engineKeyWarnings(loaded.config)];
  return permissions.length === 0 ? loaded : { config: loaded.config, warnings: Object.freeze([...loaded.warnings, ...permissions]) };
}

/** Validates config text; `file` is only used in messages and `Config.file`. */
export function parseConfig(text: string, file: string): LoadedConfig {
  const groups = parseIni(text, file);
  const warnings: ConfigWarning[] = [];
  const client = new KeyReader(groups.get('client') ?? new Map<string, string>(), file);

  const hawkbitServer = client.parseWith('hawkbit_server', parseServer)!;
  const ssl = client.bool('ssl');
  const sslVerify = client.bool('ssl_verify');

  let sslKey: string | undefined;
  let sslCert: string | undefined;
  let sslEngine: string | undefined;
  if (ssl) {
    sslKey = client.optionalString('ssl_key');
    sslCert = client.optionalString('ssl_cert');
    if ((sslKey === undefined) !== (sslCert === undefined)) {
      client.fail(sslKey === undefined ? 'ssl_key' : 'ssl_cert', "Only one of 'ssl_key' and 'ssl_cert' is set");
    }
    sslEngine = client.optionalString('ssl_engine');
    if (sslEngine !== undefined && sslKey === undefined) {
      client.fail('ssl_engine', "SSL engine set without 'ssl_key' or 'ssl_cert'");
    }
  } else {
    for (const key of ['ssl_key', 'ssl_cert', 'ssl_engine']) {
      if (client.has(key)) warnings.push({ key: `client.${key}`, message: `'${key}' is ignored because 'ssl' is off` });
    }
  }
  const auth = readAuthentication(client, sslKey !== undefined);

  const targetName = client.string('target_name');
  const tenantId = client.string('tenant_id');
  const bundleDownloadLocation = client.optionalString('bundle_download_location');
  const device = readDevice(groups, file);
  const connectTimeout = client.int('connect_timeout');
  const timeout = client.int('timeout');
  const retryWait = client.int('retry_wait');
  const lowSpeedRate = client.int('low_speed_rate');
  const lowSpeedTime = client.int('low_speed_time');
  const downloadSpeedLimit = client.int('download_speed_limit');
  const resumeDownloads = client.bool('resume_downloads');
  const streamBundle = client.bool('stream_bundle');
  const logLevel = readLogLevel(client, warnings);
  const postUpdateReboot = client.bool('post_update_reboot');
  const sendDownloadAuthentication = client.bool('send_download_authentication');

  if (timeout > 0 && connectTimeout > 0 && timeout < connectTimeout) {
    client.fail('timeout', `'timeout' (${timeout}) must be greater than 'connect_timeout' (${connectTimeout})`);
  }
  if (bundleDownloadLocation === undefined && !streamBundle) {
    client.fail('bundle_download_location', "'bundle_download_location' is required if 'stream_bundle' is disabled");
  }

  // Our own keys.
  if (ssl && sslCert !== undefined) client.readableFile('ssl_cert');
  if (ssl && sslKey !== undefined && sslEngine === undefined) client.readableFile('ssl_key');
  const caFile = client.readableFile('ca_file');
  if (caFile !== undefined && !ssl) warnings.push({ key: 'client.ca_file', message: "'ca_file' is ignored because 'ssl' is off" });
  const proxy = client.parseWith('proxy', parseProxyUrl);
  const stateDir = resolve(client.string('state_dir'));
  const logFormat = client.enumValue<LogFormat>('log_format');
  const downloadRetries = client.int('download_retries');
  const allowUnverifiedDownloads = client.bool('allow_unverified_downloads');
  const activePollInterval = client.int('active_poll_interval');
  const verifyAfterReboot = client.bool('verify_after_reboot');
  const updateGateCommand = client.parseWith('update_gate_command', splitCommand);
  const confirmationPolicy = client.enumValue<ConfirmationPolicy>('confirmation_policy');
  const confirmationCommand = client.parseWith('confirmation_command', splitCommand);
  if (confirmationPolicy === 'command' && confirmationCommand === undefined) {
    client.fail('confirmation_command', "'confirmation_command' is required when 'confirmation_policy' is 'command'");
  }
  const sameVersion = client.enumValue<SameVersionPolicy>('same_version');
  const allowDowngrade = client.bool('allow_downgrade');

  warnings.push(...unknownKeyWarnings(client, groups));

  const config: Config = {
    file,
    hawkbitServer,
    ssl,
    sslVerify,
    tenantId,
    targetName,
    auth,
    sslKey,
    sslCert,
    sslEngine,
    caFile,
    proxy,
    bundleDownloadLocation: bundleDownloadLocation === undefined ? undefined : resolve(bundleDownloadLocation),
    streamBundle,
    connectTimeoutMs: connectTimeout * SECOND,
    timeoutMs: timeout * SECOND,
    retryWaitMs: retryWait * SECOND,
    lowSpeedRate,
    lowSpeedTimeMs: lowSpeedTime * SECOND,
    downloadSpeedLimit,
    resumeDownloads,
    postUpdateReboot,
    sendDownloadAuthentication,
    logLevel,
    logFormat,
    stateDir,
    downloadRetries,
    allowUnverifiedDownloads,
    activePollIntervalMs: activePollInterval * SECOND,
    verifyAfterReboot: verifyAfterReboot || postUpdateReboot,
    updateGateCommand,
    confirmationPolicy,
    confirmationCommand,
    sameVersion,
    allowDowngrade,
    device,
  };
  return { config: deepFreeze(config), warnings: Object.freeze(warnings) };
}

function readAuthentication(client: KeyReader, clientCertificate: boolean): Authentication {
  const authToken = client.optionalString('auth_token');
  const gatewayToken = client.optionalString('gateway_token');
  const tokenAuth = authToken !== undefined || gatewayToken !== undefined;
  if (!tokenAuth && !clientCertificate) {
    client.fail('auth_token', "Neither token nor ssl authentication set (set 'auth_token', 'gateway_token', or 'ssl_key' and 'ssl_cert')");
  }
  if (tokenAuth && clientCertificate) {
    client.fail(authToken !== undefined ? 'auth_token' : 'gateway_token', 'Both token and ssl authentication set');
  }
  if (authToken !== undefined && gatewayToken !== undefined) {
    client.fail('gateway_token', "Both 'auth_token' and 'gateway_token' set");
  }
  if (authToken !== undefined) return { kind: 'target-token', token: authToken };
  if (gatewayToken !== undefined) return { kind: 'gateway-token', token: gatewayToken };
  return { kind: 'client-certificate' };
}

function readDevice(groups: IniGroups, file: string): Record<string, string> {
  const device = groups.get('device');
  if (device === undefined) {
    throw new ConfigError({
      code: 'CONFIG_INVALID',
      file,
      key: 'device',
      reason: "Group 'device' is missing (it lists the attributes sent to hawkBit, e.g. 'product = ...')",
    });
  }
  if (device.size === 0) {
    throw new ConfigError({ code: 'CONFIG_INVALID', file, key: 'device', reason: "Group 'device' has no keys set" });
  }
  return Object.fromEntries(device);
}

/** rauc-hawkbit-updater warns and falls back to 'message' for an unknown level; so do we. */
function readLogLevel(client: KeyReader, warnings: ConfigWarning[]): LogLevel {
  const value = client.optionalString('log_level') ?? 'message';
  if (value === 'fatal') return 'error';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  warnings.push({
    key: 'client.log_level',
    message: `Invalid log level '${value}' given, defaulting to level "message" (use one of ${LOG_LEVELS.join(', ')})`,
  });
  return 'message';
}

function unknownKeyWarnings(client: KeyReader, groups: IniGroups): ConfigWarning[] {
  const warnings = client.unknownKeys().map((key) => {
    const suggestion = closestKey(key);
    return {
      key: `client.${key}`,
      message: `unknown key '${key}' ignored${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`,
    };
  });
  for (const group of groups.keys()) {
    if (group !== 'client' && group !== 'device') warnings.push({ key: group, message: `unknown group '[${group}]' ignored` });
  }
  return warnings;
}

function closestKey(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const definition of CLIENT_KEYS) {
    const distance = editDistance(key, definition.key);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: definition.key, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (typeof inner === 'object' && inner !== null) deepFreeze(inner);
  }
  return Object.freeze(value);
}
