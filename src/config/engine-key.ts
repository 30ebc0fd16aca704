import { readFileSync } from 'node:fs';
import { EngineKeyError, engineKeyContext } from '../lib/openssl-engine.js';
import { ConfigError } from './config-error.js';
import type { Config, ConfigWarning } from './types.js';

/**
 * With `ssl_engine`, loads `ssl_key` through the engine once, as the service will, so that
 * `--check-config` and the service refuse the same config with the same message (exit 4, naming the
 * key). Part of loadConfig (it touches the token), not of parseConfig.
 */
export function checkEngineKey(config: Config): void {
  if (!config.ssl || config.sslEngine === undefined || config.sslKey === undefined || config.sslCert === undefined) return;
  try {
    engineKeyContext({ engine: config.sslEngine, identifier: config.sslKey, cert: readFileSync(config.sslCert, 'utf8') });
  } catch (error) {
    if (!(error instanceof EngineKeyError)) throw error;
    throw new ConfigError({ code: 'CONFIG_INVALID', file: config.file, key: `client.${error.key}`, reason: error.message }, { cause: error });
  }
}

/** A PIN written into `ssl_key` is a secret that the PKCS#11 engine itself prints when it cannot find the key. */
export function engineKeyWarnings(config: Config): ConfigWarning[] {
  if (config.sslEngine === undefined || config.sslKey === undefined || !/pin-value=/i.test(config.sslKey)) return [];
  return [{
    key: 'client.ssl_key',
    message: "'ssl_key' holds the PIN (pin-value=…): the PKCS#11 engine prints the whole key URI to stderr when it cannot find the key; prefer pin-source=file:/etc/hawkbit-rauc/pin (mode 0600)",
  }];
}
