import type { ChildProcess } from 'node:child_process';
import { Message, sessionBus, type MessageBus } from 'dbus-next';

const DAEMON = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' } as const;

/**
 * Resolves once `name` has an owner on the bus at `address` (event-driven: NameOwnerChanged, after a
 * first NameHasOwner). Rejects when `child` exits first or after `timeoutMs`; `describe` adds context
 * (e.g. the service's log) to those errors.
 */
export async function waitForBusName(
  address: string,
  name: string,
  options: { child?: ChildProcess; timeoutMs?: number; describe?: () => string } = {},
): Promise<void> {
  const bus = await connect(address);
  const detail = (): string => (options.describe ? `\n${options.describe()}` : '');
  const cleanups: (() => void)[] = [() => bus.disconnect()];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not appear on ${address} within ${options.timeoutMs ?? 15_000} ms${detail()}`)), options.timeoutMs ?? 15_000);
      cleanups.push(() => clearTimeout(timer));
      const onExit = (code: number | null, signal: string | null): void =>
        reject(new Error(`the process that should own ${name} exited (${code ?? signal}) before it did${detail()}`));
      options.child?.once('exit', onExit);
      cleanups.push(() => options.child?.off('exit', onExit));
      bus.on('message', (message: Message) => {
        if (message.member === 'NameOwnerChanged' && message.body[0] === name && message.body[2] !== '') resolve();
      });
      const rule = `type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='${name}'`;
      bus
        .call(new Message({ ...DAEMON, member: 'AddMatch', signature: 's', body: [rule] }))
        .then(() => bus.call(new Message({ ...DAEMON, member: 'NameHasOwner', signature: 's', body: [name] })))
        .then((reply) => {
          if (reply?.body[0] === true) resolve();
        }, reject);
    });
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}

function connect(address: string): Promise<MessageBus> {
  return new Promise((resolve, reject) => {
    const bus = sessionBus({ busAddress: address });
    bus.once('connect', () => resolve(bus));
    bus.on('error', (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
  });
}
