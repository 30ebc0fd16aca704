import { DBusError, Variant } from 'dbus-next';

/** RAUC 1.8 gives every method error this GError quark name; only the text tells them apart. */
export const RAUC_ERROR = 'org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code30';

export type SlotValue = string | number | bigint | boolean;
/** Slot properties as GetSlotStatus reports them (`bootname`, `boot-status`, `bundle.version`, …). */
export type FakeSlots = Record<string, Record<string, SlotValue>>;

export const DEFAULT_SLOTS: FakeSlots = {
  'rootfs.0': { class: 'rootfs', type: 'raw', bootname: 'A', device: '/dev/fake-rootfs-a', 'boot-status': 'good' },
  'rootfs.1': { class: 'rootfs', type: 'raw', bootname: 'B', device: '/dev/fake-rootfs-b', 'boot-status': 'good' },
};

/**
 * The fake's slots: booted state derived from the boot slot, Mark and the result of an install, with
 * RAUC 1.8's answers and error texts.
 */
export class SlotTable {
  readonly #slots = new Map<string, Record<string, SlotValue>>();
  primary: string;

  constructor(slots: FakeSlots, readonly bootSlot: () => string) {
    for (const [name, props] of Object.entries(slots)) this.#slots.set(name, { ...props });
    this.primary = this.booted()?.[0] ?? [...this.#slots.keys()][0] ?? '';
  }

  status(): [string, Record<string, Variant>][] {
    return [...this.#slots].map(([name, props]) => {
      const state = props['state'] ?? (props['bootname'] === this.bootSlot() ? 'booted' : 'inactive');
      const entries = Object.entries({ ...props, state }).map(([key, value]) => [key, toVariant(key, value)] as const);
      return [name, Object.fromEntries(entries)];
    });
  }

  mark(state: string, identifier: string): [string, string] {
    if (!['good', 'bad', 'active'].includes(state)) throw new DBusError(RAUC_ERROR, `unknown subcommand ${state}`);
    const [name, props] = this.#resolve(identifier);
    if (state === 'active') {
      this.primary = name;
      props['boot-status'] = 'good';
      return [name, `activated slot ${name}`];
    }
    props['boot-status'] = state;
    return [name, `marked slot ${name} as ${state}`];
  }

  /** Sets the boot-status of the slot an install writes (the other rootfs slot). */
  markTarget(bootStatus: 'good' | 'bad'): void {
    this.#resolve('other')[1]['boot-status'] = bootStatus;
  }

  /** What a successful install does to the other rootfs slot. */
  installed(details: { version: string; compatible: string; sha256: string; size: number }): void {
    const [name, props] = this.#resolve('other');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const count = (key: string): number => (typeof props[key] === 'number' ? props[key] : 0) + 1;
    Object.assign(props, {
      'bundle.version': details.version,
      'bundle.compatible': details.compatible,
      sha256: details.sha256,
      size: BigInt(details.size),
      status: 'ok',
      'installed.timestamp': now,
      'installed.count': count('installed.count'),
      'activated.timestamp': now,
      'activated.count': count('activated.count'),
      'boot-status': 'good',
    });
    this.primary = name;
  }

  booted(): [string, Record<string, SlotValue>] | undefined {
    return [...this.#slots].find(([, props]) => props['bootname'] === this.bootSlot());
  }

  #resolve(identifier: string): [string, Record<string, SlotValue>] {
    const booted = this.booted();
    const found =
      identifier === 'booted' ? booted
      : identifier === 'other' ? [...this.#slots].find(([name, props]) => name !== booted?.[0] && props['class'] === booted?.[1]['class'])
      : [...this.#slots].find(([name]) => name === identifier);
    if (!found) throw new DBusError(RAUC_ERROR, `No slot with class rootfs and name ${identifier} found`);
    return found;
  }
}

function toVariant(key: string, value: SlotValue): Variant {
  if (typeof value === 'string') return new Variant('s', value);
  if (typeof value === 'boolean') return new Variant('b', value);
  if (typeof value === 'bigint') return new Variant('t', value);
  if (key === 'size') return new Variant('t', BigInt(value));
  return Number.isInteger(value) && value >= 0 ? new Variant('u', value) : new Variant('d', value);
}
