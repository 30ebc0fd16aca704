import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SoftHsmToken {
  readonly dir: string;
  readonly label: string;
  readonly pin: string;
  /** A file holding the PIN, for `pin-source=file:…`. */
  readonly pinFile: string;
  /** `SOFTHSM2_CONF` pointing at this token's directory: set it for every process that uses the token. */
  readonly env: { readonly SOFTHSM2_CONF: string };
  /** The RFC 7512 URI of an imported key, e.g. `pkcs11:token=hr-test;object=device-key`. */
  uri(object: string): string;
  cleanup(): void;
}

/**
 * A SoftHSM2 token in a temp dir (Debian `softhsm2`), initialised with `softhsm2-util`, holding the
 * given PEM private keys (converted to PKCS#8 with openssl and imported under their label).
 */
export function createSoftHsmToken(keys: Readonly<Record<string, string>>, label = 'hr-test'): SoftHsmToken {
  const dir = mkdtempSync(join(tmpdir(), 'hr-softhsm-'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  mkdirSync(join(dir, 'tokens'));
  const env = { SOFTHSM2_CONF: conf };
  const pin = '4711-pin';
  const run = (command: string, args: string[]) => {
    try {
      execFileSync(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`${command} ${args[0]} failed (Debian: apt-get install softhsm2 openssl): ${(error as Error).message} ${stderr}`, { cause: error });
    }
  };
  run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', '0000']);
  let id = 1;
  for (const [object, keyFile] of Object.entries(keys)) {
    const pkcs8 = join(dir, `${object}.p8`);
    run('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', keyFile, '-out', pkcs8]);
    run('softhsm2-util', ['--import', pkcs8, '--token', label, '--label', object, '--id', (id++).toString(16).padStart(2, '0'), '--pin', pin]);
    rmSync(pkcs8);
  }
  const pinFile = join(dir, 'pin');
  writeFileSync(pinFile, pin, { mode: 0o600 });
  return {
    dir, label, pin, pinFile, env,
    uri: (object) => `pkcs11:token=${label};object=${object}`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
