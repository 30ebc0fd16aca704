import { statSync, type Stats } from 'node:fs';
import type { Config, ConfigWarning } from './types.js';

const OTHER_READ = 0o004;

/**
 * The auth_token of the shipped example (config/hawkbit-rauc.conf.example, the value of
 * rauc-hawkbit-updater's example): a placeholder, not a secret, so a copy of the example that still
 * holds it is not warned about.
 */
export const EXAMPLE_AUTH_TOKEN = 'bhVahL1Il1shie2aj2poojeChee6ahShu';

/**
 * Warnings for secrets that every user can read: the config file when it holds a token or a proxy
 * password, and the client key (`ssl_key`). Group read is accepted: the documented installation is
 * `root:hawkbit-rauc` mode 0640, so the service's own group reads them (docs/deploying.md).
 * Each warning names the secret, the mode and the fix; the loader's caller prefixes the path, so the
 * config file's warning does not repeat it. The example's placeholder token is not a secret.
 * Files that cannot be stat'ed are left to the checks that read them.
 */
export function permissionWarnings(config: Config, stat: (path: string) => Stats = statSync): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const modeOf = (path: string): number | undefined => {
    try {
      return stat(path).mode & 0o777;
    } catch {
      return undefined;
    }
  };
  const proxyPassword = config.proxy !== undefined && /\/\/[^/@]*:[^/@]*@/.test(config.proxy);
  const realToken = config.auth.kind !== 'client-certificate' && config.auth.token !== EXAMPLE_AUTH_TOKEN;
  const holdsSecret = realToken || proxyPassword;
  const configMode = holdsSecret ? modeOf(config.file) : undefined;
  if (configMode !== undefined && (configMode & OTHER_READ) !== 0) {
    const secret = !realToken ? 'a proxy password' : config.auth.kind === 'gateway-token' ? 'gateway_token' : 'auth_token';
    warnings.push({
      key: realToken ? `client.${secret}` : 'client.proxy',
      message: `every user can read this file (mode ${octal(configMode)}) and it holds ${secret}: chmod o-rwx it (0640 root:hawkbit-rauc, or 0600)`,
    });
  }
  const keyMode = config.sslKey !== undefined && config.sslEngine === undefined ? modeOf(config.sslKey) : undefined;
  if (config.sslKey !== undefined && keyMode !== undefined && (keyMode & OTHER_READ) !== 0) {
    warnings.push({
      key: 'client.ssl_key',
      message: `the client key ${config.sslKey} (ssl_key) is readable by every user (mode ${octal(keyMode)}): chmod o-rwx it (0640 root:hawkbit-rauc, or 0600)`,
    });
  }
  return warnings;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
