import type { Logger } from '../log/index.js';
import type { BusSignal } from './bus-connection.js';
import { RAUC_BUS_NAME } from './call-errors.js';
import { toProgress, unwrap } from './dbus-values.js';
import { RaucInstallError, RaucVanishedError } from './errors.js';
import type { InstallProgress } from './types.js';

export const INSTALLER_INTERFACE = 'de.pengutronix.rauc.Installer';

export interface InstallWatchOptions {
  readonly onProgress?: (progress: InstallProgress) => void;
  /** Reads LastError when Completed(≠0) came without a LastError change (it did not change). */
  readonly readLastError: () => Promise<string>;
  readonly log: Logger;
}

/**
 * Follows one install on the bus. Signals count only after `accept(sender)` — called when RAUC's reply to
 * InstallBundle arrived, in bus order — because D-Bus keeps a sender's messages in order and RAUC replies
 * before it starts signalling: anything earlier (a Completed of an install we stopped waiting for) is not
 * ours, nor is anything from another sender than the one that replied. That sender leaving the bus
 * fails the watch. (Before the reply, RAUC leaving shows as the call's own error: NoReply/ServiceUnknown.)
 */
export class InstallWatch {
  readonly done: Promise<void>;
  readonly #options: InstallWatchOptions;
  #owner: string | undefined;
  #accepted = false;
  #finished = false;
  #lastError: string | undefined;
  #resolve!: () => void;
  #reject!: (error: Error) => void;

  constructor(options: InstallWatchOptions) {
    this.#options = options;
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // The caller may stop listening (abort) before this settles: never an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /** RAUC (its unique name `sender`, e.g. `:1.7`) accepted the install: from now on its signals are about it. */
  accept(sender: string): void {
    this.#owner = sender;
    this.#accepted = true;
  }

  fail(error: Error): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#reject(error);
  }

  handle(signal: BusSignal): void {
    if (this.#finished) return;
    if (signal.member === 'NameOwnerChanged' && signal.sender === 'org.freedesktop.DBus') {
      const [name, oldOwner, newOwner] = signal.body;
      if (name === RAUC_BUS_NAME && this.#accepted && oldOwner === this.#owner) {
        const replaced = typeof newOwner === 'string' && newOwner !== '' ? ` (now owned by ${newOwner})` : '';
        this.fail(new RaucVanishedError(`RAUC (${this.#owner}) left the bus during the install${replaced}`));
      }
      return;
    }
    if (!this.#accepted || signal.sender !== this.#owner || signal.path !== '/') return;
    if (signal.member === 'PropertiesChanged' && signal.body[0] === INSTALLER_INTERFACE) {
      this.#propertiesChanged(unwrap(signal.body[1]) as Record<string, unknown>);
    } else if (signal.member === 'Completed' && signal.interface === INSTALLER_INTERFACE) {
      this.#completed(Number(signal.body[0]));
    }
  }

  #propertiesChanged(changed: Record<string, unknown>): void {
    if (typeof changed['Operation'] === 'string') this.#options.log.debug('RAUC operation', { operation: changed['Operation'] });
    if (typeof changed['LastError'] === 'string') this.#lastError = changed['LastError'];
    if ('Progress' in changed) {
      const progress = toProgress(changed['Progress']);
      if (progress) {
        this.#options.log.debug('RAUC progress', { ...progress });
        try {
          this.#options.onProgress?.(progress);
        } catch (error) {
          this.#options.log.warning('progress callback failed', { error: String(error) });
        }
      }
    }
  }

  #completed(resultCode: number): void {
    if (resultCode === 0) {
      this.#finished = true;
      this.#resolve();
      return;
    }
    const known = this.#lastError;
    this.#finished = true;
    const reject = (lastError: string): void => this.#reject(new RaucInstallError({ resultCode, lastError }));
    if (known !== undefined && known !== '') reject(known);
    else this.#options.readLastError().then(reject, () => reject(known ?? ''));
  }
}
