import { Variant } from 'dbus-next';
import { RaucArgumentError } from './errors.js';
import type { BundleInspection, InstallArgs, InstallProgress, RaucProperties, SlotStatus } from './types.js';

/** Replaces every dbus-next Variant (also nested ones) by its value; 64-bit integers stay bigint. */
export function unwrap(value: unknown): unknown {
  if (value instanceof Variant) return unwrap(value.value);
  if (Array.isArray(value)) return value.map(unwrap);
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, unwrap(entry)]));
  }
  return value;
}

/** The InstallBundle `a{sv}` for `args`, with RAUC's key names; keys left undefined are not sent. */
export function installArgsToDbus(args: InstallArgs | undefined): Record<string, Variant> {
  const out: Record<string, Variant> = {};
  if (!args) return out;
  const known = new Set(['ignoreCompatible', 'httpHeaders', 'tlsCert', 'tlsKey', 'tlsCa', 'tlsNoVerify', 'transactionId']);
  for (const key of Object.keys(args)) {
    if (!known.has(key)) throw new RaucArgumentError(`Unknown install argument "${key}"`);
  }
  if (args.ignoreCompatible !== undefined) out['ignore-compatible'] = new Variant('b', args.ignoreCompatible);
  if (args.httpHeaders !== undefined) out['http-headers'] = new Variant('as', [...args.httpHeaders]);
  if (args.tlsCert !== undefined) out['tls-cert'] = new Variant('s', args.tlsCert);
  if (args.tlsKey !== undefined) out['tls-key'] = new Variant('s', args.tlsKey);
  if (args.tlsCa !== undefined) out['tls-ca'] = new Variant('s', args.tlsCa);
  if (args.tlsNoVerify !== undefined) out['tls-no-verify'] = new Variant('b', args.tlsNoVerify);
  if (args.transactionId !== undefined) out['transaction-id'] = new Variant('s', args.transactionId);
  return out;
}

/** RAUC's Progress `(isi)` as dbus-next delivers it (`[percentage, message, depth]`), or undefined. */
export function toProgress(value: unknown): InstallProgress | undefined {
  const raw = unwrap(value);
  if (!Array.isArray(raw) || raw.length !== 3) return undefined;
  const [percentage, message, depth] = raw as unknown[];
  if (typeof percentage !== 'number' || typeof message !== 'string' || typeof depth !== 'number') return undefined;
  return { percentage, message, depth };
}

/** The Installer properties from a `GetAll` answer; missing ones read as `''`. */
export function toProperties(value: unknown): RaucProperties {
  const raw = asRecord(unwrap(value));
  return {
    operation: text(raw['Operation']) ?? '',
    lastError: text(raw['LastError']) ?? '',
    compatible: text(raw['Compatible']) ?? '',
    variant: text(raw['Variant']) ?? '',
    bootSlot: text(raw['BootSlot']) ?? '',
  };
}

/** GetSlotStatus' `a(sa{sv})` as typed slots, sorted by name (RAUC's order has no meaning). */
export function toSlotStatus(value: unknown): SlotStatus[] {
  const raw = unwrap(value);
  if (!Array.isArray(raw)) throw new TypeError('GetSlotStatus did not answer an array');
  const slots = raw.map((entry: unknown): SlotStatus => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw new TypeError('GetSlotStatus answered an entry that is not (sa{sv})');
    const props = Object.freeze(asRecord(entry[1]));
    return Object.freeze({
      name: entry[0],
      class: text(props['class']),
      bootname: text(props['bootname']),
      state: text(props['state']),
      bootStatus: text(props['boot-status']),
      bundleVersion: text(props['bundle.version']),
      bundleCompatible: text(props['bundle.compatible']),
      sha256: text(props['sha256']),
      bundleHash: text(props['bundle.hash']),
      transaction: text(props['installed.transaction']),
      raw: props,
    });
  });
  // By code unit, not localeCompare: slot names are ASCII (`rootfs.0`), and collation would page in
  // ~2 MB of ICU's data for the life of the process (docs/performance.md › Levers, seventh round).
  return slots.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** InspectBundle's `a{sv}` (groups `update`, `bundle`; `manifest-hash` at the top). */
export function toInspection(value: unknown): BundleInspection {
  const raw = Object.freeze(asRecord(unwrap(value)));
  const update = asRecord(raw['update']);
  const bundle = asRecord(raw['bundle']);
  return {
    compatible: text(update['compatible']) ?? '',
    version: text(update['version']) ?? '',
    manifestHash: text(raw['manifest-hash']),
    format: text(bundle['format']),
    raw,
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
