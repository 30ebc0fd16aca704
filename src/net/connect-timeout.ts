import type { Duplex } from 'node:stream';
import { ConnectTimeoutError } from './errors.js';

/**
 * Destroys `socket` with a ConnectTimeoutError unless `readyEvent` (`connect` for TCP, `secureConnect`
 * for TLS) fires within `timeoutMs`. 0 = no limit. Only the connection phase is limited: a kept-alive
 * socket is never touched again.
 */
export function limitConnect(socket: Duplex, readyEvent: 'connect' | 'secureConnect', target: string, timeoutMs: number): void {
  if (timeoutMs <= 0) return;
  const timer = setTimeout(() => socket.destroy(new ConnectTimeoutError(target, timeoutMs)), timeoutMs);
  timer.unref();
  const done = () => clearTimeout(timer);
  socket.once(readyEvent, done);
  socket.once('close', done);
}
