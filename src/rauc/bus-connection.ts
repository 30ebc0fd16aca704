import type { EventEmitter } from 'node:events';
import { Message, MessageType, sessionBus, type MessageBus } from 'dbus-next';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../log/index.js';
import type { ResolvedBus } from './bus-address.js';
import { RaucUnavailableError, RaucVanishedError } from './errors.js';

/** A signal as it arrived: the sender is always a unique name (`:1.42`). */
export interface BusSignal {
  readonly sender: string;
  readonly path: string;
  readonly interface: string;
  readonly member: string;
  readonly body: readonly unknown[];
}

export interface MethodCall {
  readonly destination: string;
  readonly path: string;
  readonly interface: string;
  readonly member: string;
  readonly signature?: string;
  readonly body?: readonly unknown[];
}

export interface BusCallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
  /**
   * Called synchronously when the reply arrives, in order with the signals around it (before any signal
   * the service sent after replying), with whether it is a success and the replier's unique name. Needed
   * to tell a service's signals that follow the reply from earlier ones: the promise resolves only a
   * microtask later.
   */
  readonly onReply?: (ok: boolean, sender: string) => void;
}

type Listener<T> = (value: T) => void;

/** One connection attempt: what waits on it dies with it. */
interface LinkState {
  readonly pending: Set<Listener<Error>>;
  readonly replyHooks: Map<number, (ok: boolean, sender: string) => void>;
  readonly matchRules: Map<string, Promise<void>>;
  closed: boolean;
}

interface Link extends LinkState {
  readonly ready: Promise<MessageBus>;
}

/**
 * The one file that knows dbus-next's client side: one lazily opened connection, method calls with
 * abort + timeout, and signal delivery to listeners. dbus-next adds a match rule per `.on()` and never
 * removes it, so this class adds each rule once per connection and dispatches signals itself.
 * dbus-next leaves pending calls unanswered when the connection drops; this class rejects them, and the
 * next call opens a new connection.
 */
export class BusConnection {
  readonly #bus: ResolvedBus;
  readonly #log: Logger;
  readonly #signalListeners = new Set<Listener<BusSignal>>();
  readonly #closeListeners = new Set<Listener<Error>>();
  #link: Link | undefined;

  constructor(bus: ResolvedBus, log: Logger) {
    this.#bus = bus;
    this.#log = log;
  }

  get description(): string {
    return this.#bus.kind === 'address' ? `D-Bus at ${this.#bus.address}` : `${this.#bus.kind} bus`;
  }

  /** Calls a method and resolves with the reply body; D-Bus errors reject as dbus-next `DBusError`s. */
  async call(call: MethodCall, options: BusCallOptions): Promise<unknown[]> {
    options.signal?.throwIfAborted();
    const link = this.#connect();
    const bus = await link.ready;
    const message = new Message({
      type: MessageType.METHOD_CALL,
      destination: call.destination,
      path: call.path,
      interface: call.interface,
      member: call.member,
      signature: call.signature ?? '',
      body: [...(call.body ?? [])],
    });
    return await new Promise<unknown[]>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        if (message.serial !== null) link.replyHooks.delete(message.serial);
        options.signal?.removeEventListener('abort', onAbort);
        link.pending.delete(onClose);
      };
      const onAbort = (): void => {
        finish();
        reject(options.signal?.reason);
      };
      const onClose = (error: Error): void => {
        finish();
        reject(new RaucVanishedError(`The ${this.description} connection closed while waiting for ${call.member}`, { cause: error }));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new RaucUnavailableError(`${call.destination} did not answer ${call.member} within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      link.pending.add(onClose);
      const replied = bus.call(message);
      if (options.onReply && message.serial !== null) link.replyHooks.set(message.serial, options.onReply);
      replied.then(
        (reply) => {
          finish();
          resolve(reply?.body ?? []);
        },
        (error: unknown) => {
          finish();
          reject(error);
        },
      );
    });
  }

  /** Makes sure the bus delivers signals matching `rule`; each rule is added once per connection. */
  async addMatch(rule: string, options: BusCallOptions): Promise<void> {
    const link = this.#connect();
    let added = link.matchRules.get(rule);
    if (!added) {
      added = this.call(
        { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'AddMatch', signature: 's', body: [rule] },
        { timeoutMs: options.timeoutMs },
      ).then(() => undefined);
      link.matchRules.set(rule, added);
      added.catch(() => link.matchRules.delete(rule));
    }
    await added;
  }

  /** Registers a listener for every signal this connection receives; returns the unsubscribe function. */
  onSignal(listener: Listener<BusSignal>): () => void {
    this.#signalListeners.add(listener);
    return () => this.#signalListeners.delete(listener);
  }

  /** Registers a listener called when an open connection drops; returns the unsubscribe function. */
  onClose(listener: Listener<Error>): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    const link = this.#link;
    if (!link) return;
    const bus = await link.ready.catch(() => undefined);
    bus?.disconnect();
    this.#drop(link, new Error('connection closed by us'));
  }

  #connect(): Link {
    if (this.#link) return this.#link;
    const state: LinkState = { pending: new Set(), replyHooks: new Map(), matchRules: new Map(), closed: false };
    const link: Link = Object.assign(state, { ready: this.#open(state) });
    if (!link.closed) this.#link = link;
    return link;
  }

  #open(link: LinkState): Promise<MessageBus> {
    return new Promise<MessageBus>((resolve, reject) => {
      let bus: MessageBus;
      try {
        bus = sessionBus({ busAddress: this.#bus.address });
      } catch (error) {
        this.#drop(link, error instanceof Error ? error : new Error(errorMessage(error)));
        reject(new RaucUnavailableError(`Cannot use the ${this.description}: ${errorMessage(error)}`, { cause: error }));
        return;
      }
      let connected = false;
      bus.on('connect', () => {
        connected = true;
        this.#log.debug('connected to D-Bus', { bus: this.description });
        resolve(bus);
      });
      bus.on('error', (error: unknown) => {
        if (!connected) {
          reject(new RaucUnavailableError(`Cannot connect to the ${this.description}: ${errorMessage(error)}`, { cause: error }));
          bus.disconnect();
        }
        this.#drop(link, error instanceof Error ? error : new Error(errorMessage(error)));
      });
      bus.on('message', (message: Message) => {
        if (link.closed) return;
        if (message.type === MessageType.METHOD_RETURN || message.type === MessageType.ERROR) {
          const hook = link.replyHooks.get(Number(message.replySerial));
          link.replyHooks.delete(Number(message.replySerial));
          hook?.(message.type === MessageType.METHOD_RETURN, message.sender);
          return;
        }
        if (message.type !== MessageType.SIGNAL) return;
        const signal: BusSignal = { sender: message.sender, path: message.path, interface: message.interface, member: message.member, body: message.body };
        for (const listener of this.#signalListeners) listener(signal);
      });
      // dbus-next does not tell when the socket ends; its (private) connection object does.
      const connection = (bus as unknown as { _connection?: EventEmitter })._connection;
      connection?.on('end', () => this.#drop(link, new Error('the bus closed the connection')));
    });
  }

  /** Forgets a dropped connection (the next call reconnects) and fails everything waiting on it. */
  #drop(link: LinkState, error: Error): void {
    if (link.closed) return;
    link.closed = true;
    if (this.#link === link) this.#link = undefined;
    this.#log.debug('D-Bus connection dropped', { bus: this.description, reason: error.message });
    for (const pending of [...link.pending]) pending(error);
    for (const listener of [...this.#closeListeners]) listener(error);
  }
}
