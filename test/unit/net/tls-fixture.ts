import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';

/** A throwaway CA (made with the openssl CLI) that signed a server certificate for 127.0.0.1 and a client certificate. */
export interface Pki {
  readonly dir: string;
  readonly caFile: string;
  readonly serverKey: string;
  readonly serverCert: string;
  readonly clientKeyFile: string;
  readonly clientCertFile: string;
  readonly ca: string;
  cleanup(): void;
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'hawkbit-rauc-pki-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = (name: string) => openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file(name));
  key('ca.key');
  openssl('req', '-x509', '-new', '-key', file('ca.key'), '-subj', '/CN=hawkbit-rauc test CA', '-days', '2', '-out', file('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const issue = (name: string, subject: string, extensions: string) => {
    key(`${name}.key`);
    openssl('req', '-new', '-key', file(`${name}.key`), '-subj', subject, '-out', file(`${name}.csr`));
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2',
      '-extfile', file(`${name}.ext`), '-out', file(`${name}.pem`));
  };
  issue('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue('client', '/CN=dev-1', 'extendedKeyUsage=clientAuth\n');
  const read = (name: string) => readFileSync(file(name), 'utf8');
  return {
    dir,
    caFile: file('ca.pem'),
    ca: read('ca.pem'),
    serverKey: read('server.key'),
    // The chain includes the CA, so an unknown CA shows up as "self-signed certificate in certificate chain".
    serverCert: read('server.pem') + read('ca.pem'),
    clientKeyFile: file('client.key'),
    clientCertFile: file('client.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface DdiHttpsServer {
  readonly server: Server;
  readonly hostPort: string;
  /** Client certificate subjects seen (mTLS), one per request. */
  readonly clients: (string | undefined)[];
  close(): Promise<void>;
}

/** An https server answering every GET with a minimal controller base. */
export async function startHttpsDdi(pki: Pki, options: { requireClientCert?: boolean } = {}): Promise<DdiHttpsServer> {
  const clients: (string | undefined)[] = [];
  const server = createHttpsServer({
    key: pki.serverKey,
    cert: pki.serverCert,
    ...(options.requireClientCert ? { ca: pki.ca, requestCert: true, rejectUnauthorized: true } : {}),
  }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate?.();
    clients.push(peer && 'subject' in peer && peer.subject ? String(peer.subject.CN) : undefined);
    res.writeHead(200, { 'content-type': 'application/hal+json' }).end(JSON.stringify({ config: { polling: { sleep: '00:00:42' } }, _links: {} }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    hostPort: `127.0.0.1:${port}`,
    clients,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
