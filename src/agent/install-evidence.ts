import type { RaucProperties, SlotStatus } from '../rauc/index.js';
import type { Handover, SlotMark } from './state.js';

/**
 * What RAUC's slot status says about one InstallBundle call, compared with the state persisted right
 * before it: pure decisions, no I/O. RAUC counts every completed installation into a slot
 * (`installed.count`, `installed.timestamp`) and marks a target slot non-bootable (`boot-status` bad)
 * before it writes to it, so:
 * - a slot whose count or timestamp moved and that now holds the bundle's version: RAUC completed it;
 * - any other change of a slot (or a new LastError): RAUC started it and did not complete it;
 * - nothing changed: RAUC never started it (nothing was written, so installing now is the first time).
 */
export type HandoverEvidence =
  | { readonly verdict: 'completed'; readonly slot: SlotMark }
  | { readonly verdict: 'started'; readonly reason: string }
  | { readonly verdict: 'untouched' };

export type Requested = Extract<Handover, { stage: 'requested' }>;

/** The slot status reduced to the fields that show an installation. */
export function slotMarks(slots: readonly SlotStatus[]): SlotMark[] {
  return slots.map((slot) => {
    const count = slot.raw['installed.count'];
    const stamp = slot.raw['installed.timestamp'];
    return {
      name: slot.name,
      installedCount: typeof count === 'number' ? count : typeof count === 'bigint' ? Number(count) : undefined,
      installedTimestamp: typeof stamp === 'string' ? stamp : undefined,
      bundleVersion: slot.bundleVersion,
      bootStatus: slot.bootStatus,
      status: typeof slot.raw['status'] === 'string' ? slot.raw['status'] : undefined,
    };
  });
}

/** The state persisted right before InstallBundle for the bundle at `bundle`. */
export function handoverRecord(bundle: number, properties: RaucProperties, slots: readonly SlotStatus[]): Requested {
  return { stage: 'requested', bundle, operation: properties.operation, lastError: properties.lastError, slots: slotMarks(slots) };
}

/** A slot that an installation completed into since `before` (count or timestamp moved). */
export function writtenSlot(before: readonly SlotMark[], now: readonly SlotMark[], version: string): SlotMark | undefined {
  return now.find((slot) => {
    const old = before.find((mark) => mark.name === slot.name);
    const moved = old === undefined || old.installedCount !== slot.installedCount || old.installedTimestamp !== slot.installedTimestamp;
    return moved && slot.installedCount !== undefined && slot.bundleVersion === version;
  });
}

const FIELDS = [
  ['installedCount', 'installed.count'],
  ['installedTimestamp', 'installed.timestamp'],
  ['bundleVersion', 'bundle.version'],
  ['bootStatus', 'boot-status'],
  ['status', 'status'],
] as const;

/** Judges a handover once RAUC is idle again (the caller waits while RAUC still installs). */
export function judgeHandover(handover: Requested, version: string, slots: readonly SlotStatus[], properties: RaucProperties): HandoverEvidence {
  const now = slotMarks(slots);
  const written = writtenSlot(handover.slots, now, version);
  if (written) return { verdict: 'completed', slot: written };
  const changes: string[] = [];
  for (const slot of now) {
    const old = handover.slots.find((mark) => mark.name === slot.name);
    if (!old) continue;
    for (const [field, key] of FIELDS) {
      if (old[field] !== slot[field]) changes.push(`${slot.name} ${key} ${String(old[field] ?? '(none)')} → ${String(slot[field] ?? '(none)')}`);
    }
  }
  if (properties.lastError !== '' && properties.lastError !== handover.lastError) changes.push(`RAUC's LastError: ${properties.lastError}`);
  return changes.length > 0 ? { verdict: 'started', reason: changes.join('; ') } : { verdict: 'untouched' };
}
