import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './process.js';

/** A signing identity for `rauc bundle`: certificate, key, and the keyring that trusts it. */
export interface Signer {
  readonly cert: string;
  readonly key: string;
  readonly keyring: string;
}

export interface TestKeys {
  /** The CA in the device keyring (`[keyring] path`). */
  readonly caCert: string;
  /** Signing cert issued by that CA. */
  readonly trusted: Signer;
  /** A second, self-signed CA that the device does not trust. */
  readonly untrusted: Signer;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Makes a throw-away CA, a signing cert issued by it, and an untrusted self-signed CA (openssl, ~0.1 s). */
export async function makeTestKeys(dir: string): Promise<TestKeys> {
  const file = (name: string): string => join(dir, name);
  const caExtensions = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'];
  await run('openssl', ['req', '-x509', ...EC, '-keyout', file('ca.key.pem'), '-out', file('ca.cert.pem'), '-days', '30', '-subj', '/CN=hawkbit-rauc test CA', ...caExtensions]);
  await run('openssl', ['req', '-new', ...EC, '-keyout', file('signer.key.pem'), '-out', file('signer.csr'), '-subj', '/CN=hawkbit-rauc test signer']);
  await writeFile(file('signer.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n');
  await run('openssl', [
    'x509', '-req', '-in', file('signer.csr'), '-CA', file('ca.cert.pem'), '-CAkey', file('ca.key.pem'), '-CAcreateserial',
    '-out', file('signer.cert.pem'), '-days', '30', '-extfile', file('signer.ext'),
  ]);
  await run('openssl', ['req', '-x509', ...EC, '-keyout', file('untrusted.key.pem'), '-out', file('untrusted.cert.pem'), '-days', '30', '-subj', '/CN=hawkbit-rauc untrusted CA', ...caExtensions]);
  return {
    caCert: file('ca.cert.pem'),
    trusted: { cert: file('signer.cert.pem'), key: file('signer.key.pem'), keyring: file('ca.cert.pem') },
    untrusted: { cert: file('untrusted.cert.pem'), key: file('untrusted.key.pem'), keyring: file('untrusted.cert.pem') },
  };
}
