import { isAbsolute, resolve } from 'node:path';
import type { Variant } from 'dbus-next';
import type { Logger } from '../log/index.js';
import { resolveBus, type BusChoice } from './bus-address.js';
import { BusConnection, type MethodCall } from './bus-connection.js';
import { isUnknownMethod, mapCallError, RAUC_BUS_NAME } from './call-errors.js';
import { installArgsToDbus, toInspection, toProperties, toSlotStatus, unwrap } from './dbus-values.js';
import { RaucArgumentError, RaucBusyError, RaucCallError, RaucUnsupportedError, RaucVanishedError } from './errors.js';
import { detectFeatures, parseInstallerMethods, type RaucFeatures } from './features.js';
import { INSTALLER_INTERFACE, InstallWatch } from './install-watch.js';
import type { BundleInfo, BundleInspection, CallOptions, Installer, InstallOptions, InstallResult, RaucProperties, SlotStatus } from './types.js';

export interface DbusInstallerOptions {
  /** Default: session bus when `DBUS_STARTER_BUS_TYPE=session`, else the system bus. */
  readonly bus?: BusChoice;
  readonly log: Logger;
  /** Environment for the bus choice (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Longest wait for a method reply (Info verifies the whole bundle's signature: keep it generous). */
  readonly callTimeoutMs?: number;
}

const RAUC = { destination: RAUC_BUS_NAME, path: '/', interface: INSTALLER_INTERFACE } as const;
const MATCH_RULES = [
  `type='signal',sender='${RAUC_BUS_NAME}',path='/',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'`,
  `type='signal',sender='${RAUC_BUS_NAME}',path='/',interface='${INSTALLER_INTERFACE}',member='Completed'`,
  `type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='${RAUC_BUS_NAME}'`,
];

/**
 * RAUC's `de.pengutronix.rauc.Installer` over D-Bus (dbus-next). One connection, opened on first use and
 * reopened after it drops; each signal subscription made once per connection. See docs/rauc.md.
 */
export class DbusInstaller implements Installer {
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #busChoice: BusChoice | undefined;
  readonly #env: NodeJS.ProcessEnv;
  #connection: BusConnection | undefined;
  #installing = false;
  #features: Promise<RaucFeatures> | undefined;
  /** RAUC's own answer to `transaction-id`, once an install has sent it. */
  #transactionAnswer: 'yes' | 'no' | undefined;

  constructor(options: DbusInstallerOptions) {
    this.#log = options.log.child({ component: 'rauc' });
    this.#timeoutMs = options.callTimeoutMs ?? 300_000;
    this.#busChoice = options.bus;
    this.#env = options.env ?? process.env;
  }

  async install(source: string, options: InstallOptions = {}): Promise<InstallResult> {
    const { signal } = options;
    signal?.throwIfAborted();
    if (this.#installing) throw new RaucBusyError('An install started through this client is still running');
    const target = absoluteSource(source);
    const args = installArgsToDbus(options.args);
    if (args['transaction-id'] && (await this.features({ signal })).transactionId === 'no') delete args['transaction-id'];
    this.#installing = true;
    try {
      const bus = this.#bus();
      for (const rule of MATCH_RULES) await bus.addMatch(rule, { signal, timeoutMs: this.#timeoutMs });
      const watch = new InstallWatch({ onProgress: options.onProgress, readLastError: async () => (await this.properties()).lastError, log: this.#log });
      const offSignal = bus.onSignal((received) => watch.handle(received));
      const offClose = bus.onClose((error) => watch.fail(new RaucVanishedError(`The ${bus.description} connection closed during the install`, { cause: error })));
      try {
        const operation = await this.#property('Operation', signal);
        if (operation === 'installing') throw new RaucBusyError('RAUC is already installing (Operation=installing)');
        this.#log.info('starting RAUC install', { source: target, args: Object.keys(args) });
        const sent = await this.#startInstall(target, args, (sender) => watch.accept(sender), signal);
        await untilAborted(watch.done, signal);
        this.#log.info('RAUC install completed', { source: target });
        const transactionId = sent['transaction-id']?.value;
        return { transactionId: typeof transactionId === 'string' ? transactionId : undefined };
      } finally {
        offSignal();
        offClose();
      }
    } catch (error) {
      if (signal?.aborted && error === signal.reason) {
        this.#log.info('stopped waiting for the RAUC install (RAUC cannot cancel it: it goes on)', { source: target });
      }
      throw error;
    } finally {
      this.#installing = false;
    }
  }

  async info(bundle: string, options: CallOptions = {}): Promise<BundleInfo> {
    const [compatible, version] = await this.#call('Info', { ...RAUC, member: 'Info', signature: 's', body: [absoluteSource(bundle)] }, options.signal);
    return { compatible: String(compatible), version: String(version) };
  }

  async inspect(bundle: string, options: CallOptions = {}): Promise<BundleInspection> {
    const [answer] = await this.#call('InspectBundle', { ...RAUC, member: 'InspectBundle', signature: 'sa{sv}', body: [absoluteSource(bundle), {}] }, options.signal);
    return toInspection(answer);
  }

  /**
   * InspectBundle / transaction-id / require-manifest-hash, from RAUC's introspection of `/` (see
   * features.ts for what can and cannot be read there); read once. transaction-id then follows RAUC's
   * own answer once an install has sent it.
   */
  async features(options: CallOptions = {}): Promise<RaucFeatures> {
    this.#features ??= this.#call('Introspect', { ...RAUC, interface: 'org.freedesktop.DBus.Introspectable', member: 'Introspect' }, options.signal).then(
      ([xml]) => detectFeatures(parseInstallerMethods(String(xml))),
    );
    const pending = this.#features;
    pending.catch(() => {
      if (this.#features === pending) this.#features = undefined;
    });
    const features = await pending;
    return this.#transactionAnswer ? { ...features, transactionId: this.#transactionAnswer } : features;
  }

  async properties(options: CallOptions = {}): Promise<RaucProperties> {
    const [all] = await this.#call(
      'GetAll',
      { ...RAUC, interface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [INSTALLER_INTERFACE] },
      options.signal,
    );
    return toProperties(all);
  }

  async slotStatus(options: CallOptions = {}): Promise<readonly SlotStatus[]> {
    this.#notWhileInstalling('GetSlotStatus');
    const [slots] = await this.#call('GetSlotStatus', { ...RAUC, member: 'GetSlotStatus' }, options.signal);
    return toSlotStatus(slots);
  }

  async primary(options: CallOptions = {}): Promise<string> {
    this.#notWhileInstalling('GetPrimary');
    const [name] = await this.#call('GetPrimary', { ...RAUC, member: 'GetPrimary' }, options.signal);
    return String(name);
  }

  async mark(state: 'good' | 'bad' | 'active', slot: string, options: CallOptions = {}): Promise<{ slot: string; message: string }> {
    this.#notWhileInstalling('Mark');
    const [name, message] = await this.#call('Mark', { ...RAUC, member: 'Mark', signature: 'ss', body: [state, slot] }, options.signal);
    this.#log.info('RAUC marked a slot', { state, slot: String(name), message: String(message) });
    return { slot: String(name), message: String(message) };
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.close();
  }

  /**
   * InstallBundle, or the legacy Install(s) when this RAUC lacks InstallBundle and no args are needed.
   * A RAUC that answers `Unsupported key: transaction-id` has started nothing (it checks the keys first):
   * it gets the same call without that key. Resolves with the args RAUC accepted.
   */
  async #startInstall(target: string, args: Record<string, Variant>, onAccepted: (sender: string) => void, signal: AbortSignal | undefined): Promise<Record<string, Variant>> {
    const onReply = (ok: boolean, sender: string): void => {
      if (ok) onAccepted(sender);
    };
    try {
      await this.#call('InstallBundle', { ...RAUC, member: 'InstallBundle', signature: 'sa{sv}', body: [target, args] }, signal, onReply);
      if (args['transaction-id']) this.#transactionAnswer = 'yes';
      return args;
    } catch (error) {
      if (args['transaction-id'] && error instanceof RaucCallError && error.dbusMessage === 'Unsupported key: transaction-id') {
        this.#transactionAnswer = 'no';
        this.#log.message('this RAUC does not take transaction-id (it answered "Unsupported key: transaction-id"): installing without it');
        const rest = { ...args };
        delete rest['transaction-id'];
        return this.#startInstall(target, rest, onAccepted, signal);
      }
      if (!(error instanceof RaucUnsupportedError) || !isUnknownMethod(error.cause)) throw error;
      const keys = Object.keys(args);
      if (keys.length > 0) {
        throw new RaucUnsupportedError(`This RAUC has no InstallBundle, so it cannot take install arguments (${keys.join(', ')}); update RAUC`, { cause: error });
      }
    }
    this.#log.info('RAUC has no InstallBundle: using the legacy Install method');
    await this.#call('Install', { ...RAUC, member: 'Install', signature: 's', body: [target] }, signal, onReply);
    return {};
  }

  async #property(name: string, signal: AbortSignal | undefined): Promise<unknown> {
    const [value] = await this.#call('Get', { ...RAUC, interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [INSTALLER_INTERFACE, name] }, signal);
    return unwrap(value);
  }

  async #call(method: string, call: MethodCall, signal: AbortSignal | undefined, onReply?: (ok: boolean, sender: string) => void): Promise<unknown[]> {
    const bus = this.#bus();
    try {
      return await bus.call(call, { signal, timeoutMs: this.#timeoutMs, onReply });
    } catch (error) {
      const mapped = mapCallError(method, error, bus.description);
      if (mapped instanceof RaucCallError) this.#log.debug('RAUC call failed', { method, error: mapped.message });
      throw mapped;
    }
  }

  #notWhileInstalling(method: string): void {
    // RAUC refuses it anyway during an install; answer without a round trip.
    if (this.#installing) throw new RaucBusyError(`RAUC is installing: ${method} must wait until the install completes`);
  }

  #bus(): BusConnection {
    this.#connection ??= new BusConnection(resolveBus(this.#busChoice, this.#env), this.#log);
    return this.#connection;
  }
}

/** RAUC resolves relative paths against its own working directory: send absolute ones. URLs pass. */
export function absoluteSource(source: string): string {
  if (source.trim() === '') throw new RaucArgumentError('The bundle path or URL is empty');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || isAbsolute(source)) return source;
  return resolve(source);
}

async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return await promise;
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
