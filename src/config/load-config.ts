import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { systemErrorCode } from '../lib/errors.js';
import { ConfigError, isConfigError } from './config-error.js';
import { checkEngineKey, engineKeyWarnings } from './engine-key.js';
import { parseIni, type IniGroups } from './ini-file.js';
import { closestKnownKey, KeyReader } from './key-reader.js';
import { LOG_LEVELS } from './keys.js';
import { parseProxyUrl, parseServer, splitCommand } from './parse-value.js';
import { permissionWarnings } from './permissions.js';
import type { Authentication, Config, ConfigWarning, ConfirmationPolicy, LoadedConfig, LogFormat, LogLevel, NonBundlePolicy, SameVersionPolicy } from './types.js';

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

/**
 * Validates config text; `file` is only used in messages and `Config.file`. Every problem is collected
 * and thrown as one ConfigError listing them in line order (checks that depend on a broken value are
 * skipped rather than reported twice).
 */
export function parseConfig(text: string, file: string): LoadedConfig {
  const ini = parseIni(text, file);
  const { groups } = ini;
  const errors: ConfigError[] = [...ini.errors];
  const warnings: ConfigWarning[] = [];
  const client = new KeyReader(groups.get('client') ?? new Map<string, string>(), file, ini.lines);
  /** Runs one check; a ConfigError is recorded and the value is undefined. */
  const check = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!isConfigError(error)) throw error;
      errors.push(error);
      return undefined;
    }
  };

  const hawkbitServer = check(() => client.parseWith('hawkbit_server', parseServer)!);
  const ssl = check(() => client.bool('ssl'));
  const sslVerify = check(() => client.bool('ssl_verify'));

  let sslKey: string | undefined;
  let sslCert: string | undefined;
  let sslEngine: string | undefined;
  if (ssl === true) {
    sslKey = check(() => client.optionalString('ssl_key'));
    sslCert = check(() => client.optionalString('ssl_cert'));
    if ((sslKey === undefined) !== (sslCert === undefined) && !client.has(sslKey === undefined ? 'ssl_key' : 'ssl_cert')) {
      check(() => client.fail(sslKey === undefined ? 'ssl_key' : 'ssl_cert', "Only one of 'ssl_key' and 'ssl_cert' is set"));
    }
    sslEngine = check(() => client.optionalString('ssl_engine'));
    if (sslEngine !== undefined && sslKey === undefined && !client.has('ssl_key')) {
      check(() => client.fail('ssl_engine', "SSL engine set without 'ssl_key' or 'ssl_cert'"));
    }
  } else if (ssl === false) {
    for (const key of ['ssl_key', 'ssl_cert', 'ssl_engine']) {
      if (client.has(key)) warnings.push({ key: `client.${key}`, message: `'${key}' is ignored because 'ssl' is off` });
    }
  }
  // Skipped when 'ssl' or the key itself is broken: that error is reported already.
  const keyBroken = ssl === true && client.has('ssl_key') && sslKey === undefined;
  const auth = ssl === undefined || keyBroken ? undefined : check(() => readAuthentication(client, sslKey !== undefined));

  const targetName = check(() => client.string('target_name'));
  const tenantId = check(() => client.string('tenant_id'));
  const bundleDownloadLocation = check(() => client.optionalString('bundle_download_location'));
  const device = check(() => readDevice(groups, file));
  const connectTimeout = check(() => client.int('connect_timeout'));
  const timeout = check(() => client.int('timeout'));
  const retryWait = check(() => client.int('retry_wait'));
  const lowSpeedRate = check(() => client.int('low_speed_rate'));
  const lowSpeedTime = check(() => client.int('low_speed_time'));
  const downloadSpeedLimit = check(() => client.int('download_speed_limit'));
  const resumeDownloads = check(() => client.bool('resume_downloads'));
  const streamBundle = check(() => client.bool('stream_bundle'));
  const logLevel = check(() => readLogLevel(client, warnings));
  const postUpdateReboot = check(() => client.bool('post_update_reboot'));
  const sendDownloadAuthentication = check(() => client.bool('send_download_authentication'));

  if (timeout !== undefined && connectTimeout !== undefined && timeout > 0 && connectTimeout > 0 && timeout < connectTimeout) {
    check(() => client.fail('timeout', `'timeout' (${timeout}) must be greater than 'connect_timeout' (${connectTimeout})`));
  }
  if (bundleDownloadLocation === undefined && streamBundle === false && !client.has('bundle_download_location')) {
    check(() => client.fail('bundle_download_location', client.missing('bundle_download_location', "'bundle_download_location' is required if 'stream_bundle' is disabled")));
  }

  // Our own keys.
  if (ssl && sslCert !== undefined) check(() => client.readableFile('ssl_cert'));
  if (ssl && sslKey !== undefined && sslEngine === undefined) check(() => client.readableFile('ssl_key'));
  const caFile = check(() => client.readableFile('ca_file'));
  if (caFile !== undefined && ssl === false) warnings.push({ key: 'client.ca_file', message: "'ca_file' is ignored because 'ssl' is off" });
  const proxy = check(() => client.parseWith('proxy', parseProxyUrl));
  const stateDir = check(() => resolve(client.string('state_dir')));
  const logFormat = check(() => client.enumValue<LogFormat>('log_format'));
  const downloadRetries = check(() => client.int('download_retries'));
  const allowUnverifiedDownloads = check(() => client.bool('allow_unverified_downloads'));
  const activePollInterval = check(() => client.int('active_poll_interval'));
  const verifyAfterReboot = check(() => client.bool('verify_after_reboot'));
  const updateGateCommand = check(() => client.parseWith('update_gate_command', splitCommand));
  const confirmationPolicy = check(() => client.enumValue<ConfirmationPolicy>('confirmation_policy'));
  const confirmationCommand = check(() => client.parseWith('confirmation_command', splitCommand));
  if (confirmationPolicy === 'command' && confirmationCommand === undefined && !client.has('confirmation_command')) {
    check(() => client.fail('confirmation_command', client.missing('confirmation_command', "'confirmation_command' is required when 'confirmation_policy' is 'command'")));
  }
  const sameVersion = check(() => client.enumValue<SameVersionPolicy>('same_version'));
  const allowDowngrade = check(() => client.bool('allow_downgrade'));
  const nonBundleArtifacts = check(() => client.enumValue<NonBundlePolicy>('non_bundle_artifacts'));
  const allowLargePlainBundles = check(() => client.bool('allow_large_plain_bundles'));
  const raucVersionCommand = check(() => client.parseWith('rauc_version_command', splitCommand));
  const compatibleMetadataKey = check(() => client.string('compatible_metadata_key'));

  if (errors.length > 0) throw ConfigError.combine(errors, (key) => ini.lines.get(key));
  warnings.push(...unknownKeyWarnings(client, groups));

  // Every check passed, so every value is set.
  const config: Config = {
    file,
    hawkbitServer: hawkbitServer!,
    ssl: ssl!,
    sslVerify: sslVerify!,
    tenantId: tenantId!,
    targetName: targetName!,
    auth: auth!,
    sslKey,
    sslCert,
    sslEngine,
    caFile,
    proxy,
    bundleDownloadLocation: bundleDownloadLocation === undefined ? undefined : resolve(bundleDownloadLocation),
    streamBundle: streamBundle!,
    connectTimeoutMs: connectTimeout! * SECOND,
    timeoutMs: timeout! * SECOND,
    retryWaitMs: retryWait! * SECOND,
    lowSpeedRate: lowSpeedRate!,
    lowSpeedTimeMs: lowSpeedTime! * SECOND,
    downloadSpeedLimit: downloadSpeedLimit!,
    resumeDownloads: resumeDownloads!,
    postUpdateReboot: postUpdateReboot!,
    sendDownloadAuthentication: sendDownloadAuthentication!,
    logLevel: logLevel!,
    logFormat: logFormat!,
    stateDir: stateDir!,
    downloadRetries: downloadRetries!,
    allowUnverifiedDownloads: allowUnverifiedDownloads!,
    activePollIntervalMs: activePollInterval! * SECOND,
    verifyAfterReboot: verifyAfterReboot! || postUpdateReboot!,
    updateGateCommand,
    confirmationPolicy: confirmationPolicy!,
    confirmationCommand,
    sameVersion: sameVersion!,
    allowDowngrade: allowDowngrade!,
    nonBundleArtifacts: nonBundleArtifacts!,
    allowLargePlainBundles: allowLargePlainBundles!,
    raucVersionCommand: raucVersionCommand!,
    compatibleMetadataKey: compatibleMetadataKey!,
    device: device!,
  };
  return { config: deepFreeze(config), warnings: Object.freeze(warnings) };
}

function readAuthentication(client: KeyReader, clientCertificate: boolean): Authentication {
  const authToken = client.optionalString('auth_token');
  const gatewayToken = client.optionalString('gateway_token');
  const tokenAuth = authToken !== undefined || gatewayToken !== undefined;
  if (!tokenAuth && !clientCertificate) {
    const misspelt = ['auth_token', 'gateway_token', 'ssl_key', 'ssl_cert'].find((key) => client.misspellingOf(key) !== undefined);
    const reason = "Neither token nor ssl authentication set (set 'auth_token', 'gateway_token', or 'ssl_key' and 'ssl_cert')";
    client.fail(misspelt ?? 'auth_token', misspelt === undefined ? reason : client.missing(misspelt, reason));
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
    const suggestion = closestKnownKey(key);
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

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (typeof inner === 'object' && inner !== null) deepFreeze(inner);
  }
  return Object.freeze(value);
}
