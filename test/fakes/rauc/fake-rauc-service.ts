import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DBusError, NameFlag, RequestNameReply, sessionBus, interface as dbusInterface, type MessageBus, type Variant } from 'dbus-next';
import { unwrap } from '../../../src/rauc/dbus-values.js';
import type { InstallProgress } from '../../../src/rauc/types.js';
import { DEFAULT_SLOTS, RAUC_ERROR, SlotTable, type FakeSlots } from './fake-slots.js';
import { createInstallerInterface, type InstallerBackend, type InstallerInterface } from './installer-interface.js';
import { RAUC_18_FAILURE, RAUC_18_SUCCESS } from './progress.js';
import { digestSource, type ReceivedArgs, type SourceDigest } from './source-digest.js';

export interface FakeRaucOptions {
  readonly busAddress: string;
  readonly compatible?: string;
  readonly variant?: string;
  /** Bootname of the booted slot (default A). */
  readonly bootSlot?: string;
  readonly slots?: FakeSlots;
  /** Progress values to send (default: RAUC 1.8's sequence for success or failure). */
  readonly progress?: readonly InstallProgress[];
  /** Completed's code (default 0); LastError gets `lastError` when it is not 0. */
  readonly resultCode?: number;
  readonly lastError?: string;
  /** Wait between Progress steps (default 0; the first step comes at once). */
  readonly delayMs?: number;
  /** Drop off the bus halfway through the progress (like a crash). */
  readonly vanishMidInstall?: boolean;
  /**
   * RAUC dies at the step with this message and is back at once (as systemd restarts it): the install
   * is abandoned (no Completed, Operation idle), and what it did to the slots so far stays.
   */
  readonly dieAt?: string;
  /** Behave as if another client's install were running (Operation=installing, methods refused). */
  readonly busy?: boolean;
  /** Only the legacy Install(s), no InstallBundle (RAUC < 1.3). */
  readonly legacyOnly?: boolean;
  /** Also InspectBundle, as RAUC 1.9 (InstallBundle still refuses `transaction-id` as an unsupported key). */
  readonly inspectBundle?: boolean;
  /** What Info() and an installed slot report (default: the fake's compatible, version 1.0). */
  readonly bundle?: { readonly compatible?: string; readonly version?: string; readonly format?: string };
  /** Called with each call once it is complete (installs: with `received`/`readError`, before Completed). */
  readonly onCall?: (call: FakeCall) => void;
}

/** One method call the fake received. */
export interface FakeCall {
  readonly method: 'InstallBundle' | 'Install' | 'Info' | 'Mark' | 'GetSlotStatus' | 'GetPrimary';
  readonly source?: string;
  readonly args?: ReceivedArgs;
  /** For Mark. */
  readonly state?: string;
  readonly slot?: string;
  /** For installs: the sha256 and size of the bytes read from the source, once read. */
  received?: SourceDigest;
  /** For installs: why the source could not be read (the LastError the fake set). */
  readError?: string;
}

const KNOWN_ARGS = new Set(['ignore-compatible', 'tls-cert', 'tls-key', 'tls-ca', 'tls-no-verify', 'http-headers']);

/**
 * A stand-in for RAUC's D-Bus service on any bus, for what real RAUC cannot show here: vanishing,
 * busy, slow or custom progress, the legacy API, exact streaming args. Behaves like RAUC 1.8: replies to
 * InstallBundle at once, then signals; LastError is set before Completed; Operation goes
 * installing → idle. It really reads (and hashes) the file or URL it is given.
 */
export class FakeRaucService implements InstallerBackend {
  readonly calls: FakeCall[] = [];
  operation = 'idle';
  lastError = '';
  progress: [number, string, number] = [0, '', 0];
  readonly compatible: string;
  readonly variant: string;
  bootSlot: string;
  options: FakeRaucOptions;
  readonly #bus: MessageBus;
  readonly #iface: InstallerInterface;
  readonly #slots: SlotTable;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #gone = false;
  #hold: Promise<void> | undefined;

  private constructor(bus: MessageBus, options: FakeRaucOptions) {
    this.#bus = bus;
    this.options = options;
    this.compatible = options.compatible ?? 'Test Device';
    this.variant = options.variant ?? '';
    this.bootSlot = options.bootSlot ?? 'A';
    this.#slots = new SlotTable(options.slots ?? DEFAULT_SLOTS, () => this.bootSlot);
    if (options.busy) this.operation = 'installing';
    this.#iface = createInstallerInterface(this, { legacyOnly: options.legacyOnly, inspectBundle: options.inspectBundle });
  }

  static async start(options: FakeRaucOptions): Promise<FakeRaucService> {
    const bus = sessionBus({ busAddress: options.busAddress });
    await new Promise<void>((resolve, reject) => {
      bus.once('connect', resolve);
      bus.once('error', reject);
    });
    bus.on('error', () => undefined);
    const service = new FakeRaucService(bus, options);
    bus.export('/', service.#iface);
    const reply = await bus.requestName('de.pengutronix.rauc', NameFlag.DO_NOT_QUEUE);
    if (reply !== RequestNameReply.PRIMARY_OWNER) {
      bus.disconnect();
      throw new Error(`de.pengutronix.rauc is already owned on ${options.busAddress}`);
    }
    return service;
  }

  /** Changes behaviour for later calls (result, progress, delay, …). */
  configure(changes: Partial<Omit<FakeRaucOptions, 'busAddress'>>): void {
    this.options = { ...this.options, ...changes };
  }

  /**
   * Makes every install wait after it read its source (Operation stays `installing`, Completed not
   * sent) until the returned function is called, like RaucEnvironment.holdInstalls: no timing involved.
   */
  holdInstalls(): () => void {
    let release!: () => void;
    this.#hold = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.#hold = undefined;
      release();
    };
  }

  /** True once the fake left the bus (vanished or stopped). */
  get gone(): boolean {
    return this.#gone;
  }

  /**
   * Leaves the bus as a service does on shutdown: the name first, so that a call the bus routed to it
   * before (a client's last GetSlotStatus, say) is received and answered while the connection is still
   * open, then the connection. A running install stops where it is.
   */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running?.catch(() => undefined);
    if (!this.#gone) await this.#bus.releaseName('de.pengutronix.rauc').catch(() => undefined);
    this.#leave();
  }

  installBundle(source: string, args: Record<string, Variant>): void {
    this.#refuseWhileBusy('Already processing a different method');
    for (const key of Object.keys(args)) {
      if (!KNOWN_ARGS.has(key)) throw new DBusError(RAUC_ERROR, `Unsupported key: ${key}`);
    }
    this.#begin({ method: 'InstallBundle', source, args: unwrap(args) as ReceivedArgs });
  }

  install(source: string): void {
    this.#refuseWhileBusy('Already processing a different method');
    this.#begin({ method: 'Install', source, args: {} });
  }

  async info(bundle: string): Promise<[string, string]> {
    this.#record({ method: 'Info', source: bundle });
    // Opened, not read: a bundle may be a multi-GiB sparse file.
    await open(bundle, 'r').then((file) => file.close(), () => {
      throw new DBusError(RAUC_ERROR, 'rauc info error');
    });
    return [this.options.bundle?.compatible ?? this.compatible, this.options.bundle?.version ?? '1.0'];
  }

  /** What InspectBundle reports as `bundle.format` (default plain). */
  get bundleFormat(): string {
    return this.options.bundle?.format ?? 'plain';
  }

  mark(state: string, slot: string): [string, string] {
    this.#record({ method: 'Mark', state, slot });
    this.#refuseWhileBusy('already processing a different method');
    return this.#slots.mark(state, slot);
  }

  getSlotStatus(): [string, Record<string, Variant>][] {
    this.#record({ method: 'GetSlotStatus' });
    this.#refuseWhileBusy('already processing a different method');
    return this.#slots.status();
  }

  getPrimary(): string {
    this.#record({ method: 'GetPrimary' });
    this.#refuseWhileBusy('already processing a different method');
    return this.#slots.primary;
  }

  #record(call: FakeCall): void {
    this.calls.push(call);
    this.options.onCall?.(call);
  }

  #refuseWhileBusy(text: string): void {
    if (this.operation !== 'idle') throw new DBusError(RAUC_ERROR, text);
  }

  /** Records the call and runs the install after the method reply has gone out. */
  #begin(call: FakeCall): void {
    this.calls.push(call);
    this.operation = 'installing';
    this.#running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#run(call));
    this.#running.catch(() => undefined);
  }

  async #run(call: FakeCall): Promise<void> {
    const options = this.options;
    this.#changed({ Operation: 'installing' });
    this.lastError = '';
    let resultCode = options.resultCode ?? 0;
    let lastError = options.lastError ?? '';
    try {
      call.received = await digestSource(call.source ?? '', call.args ?? {});
    } catch (error) {
      call.readError = lastError = (error as Error).message;
      resultCode = 1;
    }
    options.onCall?.(call);
    if (this.#hold) await Promise.race([this.#hold, new Promise((resolve) => this.#stop.signal.addEventListener('abort', resolve, { once: true }))]);
    if (this.#stop.signal.aborted) return;
    const steps = options.progress ?? (resultCode === 0 ? RAUC_18_SUCCESS : RAUC_18_FAILURE);
    for (const [index, step] of steps.entries()) {
      if (options.vanishMidInstall && index === Math.floor(steps.length / 2)) {
        this.#leave();
        return;
      }
      if (index > 0 && options.delayMs) await sleep(options.delayMs, undefined, { signal: this.#stop.signal });
      else await new Promise((resolve) => setImmediate(resolve));
      if (this.#stop.signal.aborted) return;
      // Like RAUC: the target slot is marked non-bootable before it is written.
      if (step.message === 'Updating slots') this.#slots.markTarget('bad');
      if (options.dieAt === step.message) {
        this.operation = 'idle';
        this.progress = [0, '', 0];
        this.lastError = '';
        return;
      }
      this.progress = [step.percentage, step.message, step.depth];
      this.#changed(index === 0 ? { Progress: this.progress, LastError: '' } : { Progress: this.progress });
    }
    if (resultCode !== 0) {
      this.lastError = lastError;
      this.#changed({ LastError: lastError });
    } else if (call.received) {
      this.#slots.installed({ ...call.received, version: options.bundle?.version ?? '1.0', compatible: options.bundle?.compatible ?? this.compatible });
    }
    this.#iface.Completed(resultCode);
    this.operation = 'idle';
    this.#changed({ Operation: 'idle' });
  }

  #changed(properties: Record<string, unknown>): void {
    if (this.#gone) return;
    if (typeof properties['Operation'] === 'string') this.operation = properties['Operation'];
    dbusInterface.Interface.emitPropertiesChanged(this.#iface, properties, []);
  }

  #leave(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#bus.disconnect();
    // A vanished service answers nothing: dbus-next still hands it calls it had read before the
    // disconnect, and its reply to one would throw (stream closed) out of the socket's event handler.
    this.#bus.send = () => undefined;
  }
}
