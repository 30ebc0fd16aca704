import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';

export interface TinyproxyOptions {
  /** `BasicAuth user password`: every request must carry these proxy credentials. */
  readonly auth?: { readonly user: string; readonly password: string };
  /** `ConnectPort` lines: CONNECT only to these ports (tinyproxy answers 403 otherwise). Default: any port. */
  readonly connectPorts?: readonly number[];
}

/** One request line tinyproxy logged: `CONNECT 127.0.0.1:4443` or `GET http://127.0.0.1:8080/path`. */
export interface ProxiedRequest {
  readonly method: string;
  readonly target: string;
}

/**
 * Debian's tinyproxy on 127.0.0.1, in the foreground (`-d`), with its own config in a temp dir. Its log
 * (LogLevel Connect) is kept, so a test can assert what the proxy itself received. `stop()` ends it.
 */
export class Tinyproxy {
  readonly #log: string[] = [];

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly process: ChildProcess,
    log: string[],
  ) {
    this.#log = log;
  }

  static async start(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
    const dir = await mkdtemp(join(tmpdir(), 'hr-tinyproxy-'));
    // A port just freed by the kernel can be taken again before tinyproxy binds it: try a few.
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const lines = [
        `Port ${port}`, 'Listen 127.0.0.1', 'Timeout 30', 'LogLevel Connect', 'MaxClients 50', 'Allow 127.0.0.1', 'DisableViaHeader Yes',
        ...(options.auth ? [`BasicAuth ${options.auth.user} ${options.auth.password}`] : []),
        ...(options.connectPorts ?? []).map((p) => `ConnectPort ${p}`),
      ];
      await writeFile(join(dir, 'tinyproxy.conf'), `${lines.join('\n')}\n`);
      const log: string[] = [];
      try {
        const child = await launch(join(dir, 'tinyproxy.conf'), port, log);
        return new Tinyproxy(port, dir, child, log);
      } catch (error) {
        lastError = error;
      }
    }
    await rm(dir, { recursive: true, force: true });
    throw lastError;
  }

  /** `http://[user:password@]127.0.0.1:port`. */
  url(credentials?: { user: string; password: string }): string {
    const auth = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : '';
    return `http://${auth}127.0.0.1:${this.port}`;
  }

  /** The request lines tinyproxy logged so far, in order. */
  get requests(): ProxiedRequest[] {
    const requests: ProxiedRequest[] = [];
    for (const line of this.#log.join('').split('\n')) {
      const match = /Request \(file descriptor \d+\): (\S+) (\S+) HTTP\//.exec(line);
      if (match) requests.push({ method: match[1]!, target: match[2]! });
    }
    return requests;
  }

  /**
   * The request lines logged so far, once `ready(requests)` holds, or after `timeoutMs` as they are then
   * (the assertion that follows names what is missing). Tinyproxy's log reaches the test through a pipe,
   * so it can arrive after the answer it logs has reached the client.
   */
  async requestsWhen(ready: (requests: ProxiedRequest[]) => boolean, timeoutMs = 10_000): Promise<ProxiedRequest[]> {
    if (ready(this.requests)) return this.requests;
    const streams = [this.process.stdout, this.process.stderr].filter((stream) => stream !== null);
    await new Promise<void>((resolve) => {
      const check = () => {
        if (ready(this.requests)) finish();
      };
      const finish = () => {
        clearTimeout(timer);
        for (const stream of streams) stream.off('data', check);
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      for (const stream of streams) stream.on('data', check);
    });
    return this.requests;
  }

  get log(): string {
    return this.#log.join('');
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Starts tinyproxy and resolves once its port accepts connections (it logs nothing at start at LogLevel Connect). */
function launch(config: string, port: number, log: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('tinyproxy', ['-d', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        // Never leave a tinyproxy behind that no test will stop.
        child.kill('SIGKILL');
        reject(error);
      } else resolve(child);
    };
    const timer = setTimeout(() => settle(new Error(`tinyproxy did not listen on 127.0.0.1:${port} within 20 s:\n${log.join('')}`)), 20_000);
    const keep = (chunk: Buffer) => log.push(chunk.toString());
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('error', (error) => settle(new Error(`cannot start tinyproxy (Debian: apt-get install tinyproxy): ${error.message}`)));
    child.once('exit', (code) => settle(new Error(`tinyproxy exited (${code}) before listening:\n${log.join('')}`)));
    const probe = () => {
      if (settled) return;
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        settle();
      });
      socket.once('error', () => setTimeout(probe, 20));
    };
    probe();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * TLS in front of a proxy, so that it is an `https://` proxy: each TLS connection is relayed to
 * `127.0.0.1:port` (tinyproxy speaks no TLS itself). The certificate is the test PKI's for 127.0.0.1.
 */
export async function startTlsFront(port: number, tls: { key: string; cert: string }): Promise<{ url: (auth?: string) => string; handshakes: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let handshakes = 0;
  const server: TlsServer = createTlsServer({ key: tls.key, cert: tls.cert }, (client) => {
    handshakes++;
    const upstream = connect(port, '127.0.0.1');
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => sockets.delete(upstream));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const frontPort = (server.address() as AddressInfo).port;
  return {
    url: (auth) => `https://${auth ? `${auth}@` : ''}127.0.0.1:${frontPort}`,
    handshakes: () => handshakes,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
