import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Throwaway certificates made with the openssl CLI for one test run: a server CA that signed a server
 * certificate for 127.0.0.1/localhost and one for another host name only; a client CA that signed the
 * device's client certificate; and a rogue CA, unknown to everyone, that signed another client certificate.
 */
export interface Pki {
  readonly dir: string;
  /** The server CA (what `ca_file` points at). */
  readonly caFile: string;
  readonly ca: string;
  readonly serverKey: string;
  /** Server certificate for IP 127.0.0.1 and DNS localhost, followed by the CA (a full chain). */
  readonly serverCert: string;
  /** Server certificate valid for hawkbit.example.com only (host name mismatch on 127.0.0.1). */
  readonly otherHostKey: string;
  readonly otherHostCert: string;
  /** The CA that client certificates must chain to on an mTLS server. */
  readonly clientCa: string;
  readonly clientKeyFile: string;
  readonly clientCertFile: string;
  /** A client certificate from a CA the server does not know. */
  readonly rogueClientKeyFile: string;
  readonly rogueClientCertFile: string;
  cleanup(): void;
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'hawkbit-rauc-pki-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = (name: string) => openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file(name));
  const authority = (name: string, subject: string) => {
    key(`${name}.key`);
    openssl('req', '-x509', '-new', '-key', file(`${name}.key`), '-subj', subject, '-days', '2', '-out', file(`${name}.pem`),
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  const issue = (name: string, ca: string, subject: string, extensions: string) => {
    key(`${name}.key`);
    openssl('req', '-new', '-key', file(`${name}.key`), '-subj', subject, '-out', file(`${name}.csr`));
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.pem`), '-CAkey', file(`${ca}.key`), '-CAcreateserial', '-days', '2',
      '-extfile', file(`${name}.ext`), '-out', file(`${name}.pem`));
  };
  authority('ca', '/CN=hawkbit-rauc test server CA');
  authority('client-ca', '/CN=hawkbit-rauc test client CA');
  authority('rogue-ca', '/CN=unknown CA');
  issue('server', 'ca', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue('other-host', 'ca', '/CN=hawkbit.example.com', 'subjectAltName=DNS:hawkbit.example.com\nextendedKeyUsage=serverAuth\n');
  issue('client', 'client-ca', '/CN=dev-1', 'extendedKeyUsage=clientAuth\n');
  issue('rogue-client', 'rogue-ca', '/CN=dev-1', 'extendedKeyUsage=clientAuth\n');
  const read = (name: string) => readFileSync(file(name), 'utf8');
  return {
    dir,
    caFile: file('ca.pem'),
    ca: read('ca.pem'),
    serverKey: read('server.key'),
    // The chain includes the CA, so an unknown CA shows up as "self-signed certificate in certificate chain".
    serverCert: read('server.pem') + read('ca.pem'),
    otherHostKey: read('other-host.key'),
    otherHostCert: read('other-host.pem') + read('ca.pem'),
    clientCa: read('client-ca.pem'),
    clientKeyFile: file('client.key'),
    clientCertFile: file('client.pem'),
    rogueClientKeyFile: file('rogue-client.key'),
    rogueClientCertFile: file('rogue-client.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface DdiHttpsServer {
  readonly server: Server;
  readonly hostPort: string;
  close(): Promise<void>;
}

/** A bare https server answering every request with a minimal controller base (for transport tests). */
export async function startHttpsDdi(pki: Pki): Promise<DdiHttpsServer> {
  const server = createHttpsServer({ key: pki.serverKey, cert: pki.serverCert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/hal+json' }).end(JSON.stringify({ config: { polling: { sleep: '00:00:42' } }, _links: {} }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    hostPort: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
