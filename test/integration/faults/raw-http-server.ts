import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What a misbehaving server does once it has read a request head. */
export type Misbehaviour = (socket: Socket) => void;

/**
 * A TCP server on 127.0.0.1 that reads HTTP request heads and answers each with `misbehave`, for
 * faults node:http will not produce (a body cut off, headers then silence). Counts connections and
 * requests, so tests can prove the client does not spin.
 */
export class RawHttpServer {
  connections = 0;
  requests = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(misbehave: Misbehaviour) {
    this.#server = createServer((socket) => {
      this.connections += 1;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        while (head.includes('\r\n\r\n')) {
          head = head.slice(head.indexOf('\r\n\r\n') + 4);
          this.requests += 1;
          misbehave(socket);
        }
      });
    });
  }

  static async start(misbehave: Misbehaviour): Promise<RawHttpServer> {
    const raw = new RawHttpServer(misbehave);
    await new Promise<void>((resolve, reject) => {
      raw.#server.once('error', reject);
      raw.#server.listen(0, '127.0.0.1', resolve);
    });
    return raw;
  }

  get hostPort(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A port nothing listens on right now (taken from the OS, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
