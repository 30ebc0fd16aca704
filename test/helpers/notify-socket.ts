import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { terminate } from '../harness/process.js';

const LISTENER = fileURLToPath(new URL('./notify-listener.py', import.meta.url));

export interface Notification {
  /** Arrival time (epoch ms, the listener's clock: the same machine). */
  readonly at: number;
  readonly state: Readonly<Record<string, string>>;
}

/**
 * A unix datagram socket standing in for systemd's NOTIFY_SOCKET (Node has no unix datagram sockets,
 * so a small python3 listener binds it), recording every notification with its arrival time.
 */
export class NotifySocket {
  readonly messages: Notification[] = [];

  private constructor(
    readonly path: string,
    readonly child: ChildProcess,
  ) {}

  static async start(dir: string): Promise<NotifySocket> {
    const path = join(dir, 'notify.sock');
    const child = spawn('python3', [LISTENER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const socket = new NotifySocket(path, child);
    const lines = createInterface({ input: child.stdout! });
    const listening = new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`notify listener exited (${code})`)));
      lines.on('line', (line) => {
        const message = JSON.parse(line) as Notification | { listening: string };
        if ('listening' in message) resolve();
        else socket.messages.push(message);
      });
    });
    await listening;
    return socket;
  }

  /** Arrival times of the notifications that carry `key` (e.g. WATCHDOG). */
  times(key: string): number[] {
    return this.messages.filter((message) => key in message.state).map((message) => message.at);
  }

  /** Waits until a notification with `key` arrived (checked every 50 ms), or throws after `timeoutMs`. */
  async waitFor(key: string, timeoutMs = 20_000): Promise<Notification> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((message) => key in message.state);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${key}= notification within ${timeoutMs} ms (got ${JSON.stringify(this.messages)})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await terminate(this.child, 2_000);
    if (this.child.exitCode === null && this.child.signalCode === null) await once(this.child, 'exit');
  }
}

/**
 * For each whole second of [from, from + seconds × 1000), how many `times` fall into it: the watchdog
 * test asks for at least one ping in every second.
 */
export function perSecond(times: readonly number[], from: number, seconds: number): number[] {
  return Array.from({ length: seconds }, (_, i) => times.filter((at) => at >= from + i * 1000 && at < from + (i + 1) * 1000).length);
}
