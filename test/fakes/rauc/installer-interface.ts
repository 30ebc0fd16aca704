import { interface as dbusInterface, Variant } from 'dbus-next';

/** What the exported interface asks of the fake; the class below only forwards to it. */
export interface InstallerBackend {
  readonly operation: string;
  readonly lastError: string;
  readonly progress: [number, string, number];
  readonly compatible: string;
  readonly variant: string;
  readonly bootSlot: string;
  installBundle(source: string, args: Record<string, Variant>): void;
  install(source: string): void;
  info(bundle: string): Promise<[string, string]>;
  readonly bundleFormat: string;
  mark(state: string, slot: string): [string, string];
  getSlotStatus(): [string, Record<string, Variant>][];
  getPrimary(): string;
}

export type InstallerInterface = dbusInterface.Interface & { Completed(result: number): number };

/**
 * Builds `de.pengutronix.rauc.Installer` as dbus-next wants it. Decorators do not work from TypeScript,
 * so members are declared with `configureMembers`; a fresh class per call, because configuring a
 * subclass would wrap the inherited signal twice. `legacyOnly` leaves InstallBundle out (RAUC < 1.3 had
 * only Install), so callers get UnknownMethod like from an old RAUC. `inspectBundle` adds
 * InspectBundle as RAUC 1.9 has it (what Info tells, as `update` and `bundle` groups; no manifest hash).
 */
export function createInstallerInterface(backend: InstallerBackend, options: { legacyOnly?: boolean; inspectBundle?: boolean } = {}): InstallerInterface {
  class Installer extends dbusInterface.Interface {
    get Operation(): string {
      return backend.operation;
    }
    get LastError(): string {
      return backend.lastError;
    }
    get Progress(): [number, string, number] {
      return backend.progress;
    }
    get Compatible(): string {
      return backend.compatible;
    }
    get Variant(): string {
      return backend.variant;
    }
    get BootSlot(): string {
      return backend.bootSlot;
    }
    InstallBundle(source: string, args: Record<string, Variant>): void {
      backend.installBundle(source, args);
    }
    Install(source: string): void {
      backend.install(source);
    }
    Info(bundle: string): Promise<[string, string]> {
      return backend.info(bundle);
    }
    async InspectBundle(source: string): Promise<Record<string, Variant>> {
      const [compatible, version] = await backend.info(source);
      return {
        update: new Variant('a{sv}', { compatible: new Variant('s', compatible), version: new Variant('s', version) }),
        bundle: new Variant('a{sv}', { format: new Variant('s', backend.bundleFormat) }),
      };
    }
    Mark(state: string, slot: string): [string, string] {
      return backend.mark(state, slot);
    }
    GetSlotStatus(): [string, Record<string, Variant>][] {
      return backend.getSlotStatus();
    }
    GetPrimary(): string {
      return backend.getPrimary();
    }
    Completed(result: number): number {
      return result;
    }
  }
  const read = (signature: string): dbusInterface.PropertyOptions => ({ signature, access: 'read' });
  Installer.configureMembers({
    properties: { Operation: read('s'), LastError: read('s'), Progress: read('(isi)'), Compatible: read('s'), Variant: read('s'), BootSlot: read('s') },
    methods: {
      ...(options.legacyOnly ? {} : { InstallBundle: { inSignature: 'sa{sv}', outSignature: '' } }),
      Install: { inSignature: 's', outSignature: '' },
      Info: { inSignature: 's', outSignature: 'ss' },
      ...(options.inspectBundle ? { InspectBundle: { inSignature: 'sa{sv}', outSignature: 'a{sv}' } } : {}),
      Mark: { inSignature: 'ss', outSignature: 'ss' },
      GetSlotStatus: { inSignature: '', outSignature: 'a(sa{sv})' },
      GetPrimary: { inSignature: '', outSignature: 's' },
    },
    signals: { Completed: { signature: 'i' } },
  });
  return new Installer('de.pengutronix.rauc.Installer') as InstallerInterface;
}
