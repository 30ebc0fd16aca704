import { statSync, type Stats } from 'node:fs';
import type { Config, ConfigWarning } from './types.js';

const OTHER_READ = 0o004;

/**
 * Warnings for secrets that every user can read: the config file when it holds a token or a proxy
 * password, and the client key (`ssl_key`). Group read is accepted: the documented installation is
 * `root:hawkbit-rauc` mode 0640, so the service's own group reads them (docs/deploying.md).
 * Each warning names the path and the fix. Files that cannot be stat'ed are left to the checks that read them.
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
  const holdsSecret = config.auth.kind !== 'client-certificate' || (config.proxy !== undefined && /\/\/[^/@]*:[^/@]*@/.test(config.proxy));
  const configMode = holdsSecret ? modeOf(config.file) : undefined;
  if (configMode !== undefined && (configMode & OTHER_READ) !== 0) {
    const secret = config.auth.kind === 'gateway-token' ? 'gateway_token' : config.auth.kind === 'target-token' ? 'auth_token' : 'a proxy password';
    warnings.push({
      key: config.auth.kind === 'client-certificate' ? 'client.proxy' : `client.${secret}`,
      message: `${config.file} holds ${secret} but every user can read it (mode ${octal(configMode)}); run: chmod o-rwx ${config.file} (or chmod 600)`,
    });
  }
  const keyMode = config.sslKey !== undefined && config.sslEngine === undefined ? modeOf(config.sslKey) : undefined;
  if (config.sslKey !== undefined && keyMode !== undefined && (keyMode & OTHER_READ) !== 0) {
    warnings.push({
      key: 'client.ssl_key',
      message: `the client key ${config.sslKey} (ssl_key) is readable by every user (mode ${octal(keyMode)}); run: chmod o-rwx ${config.sslKey} (or chmod 600)`,
    });
  }
  return warnings;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
