import type { Duplex } from 'node:stream';
import { ClientCertificateRefusedError } from './errors.js';

/**
 * Watches a TLS socket that presents a client certificate. A server that does not accept the
 * certificate often just closes the connection after the handshake, without a TLS alert (Node's own
 * https server does), so an HTTP client only reports "socket hang up", which looks like a network
 * blip and would be retried. When the server ends a fresh connection after the handshake without
 * having sent a single byte of answer, this reports a ClientCertificateRefusedError instead.
 */
export function watchClientCertificateRefusal(socket: Duplex, target: string): void {
  let handshakeDone = false;
  let answered = false;
  socket.once('secureConnect', () => {
    handshakeDone = true;
    // Registered only now: the HTTP client's own 'data' listener is in place, so nothing is missed.
    socket.once('data', () => (answered = true));
  });
  socket.prependOnceListener('end', () => {
    if (!handshakeDone || answered || socket.listenerCount('error') === 0) return;
    // Synchronously, before the HTTP client's own 'end' handler turns this into "socket hang up".
    socket.emit('error', new ClientCertificateRefusedError(target));
  });
}
