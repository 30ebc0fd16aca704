/** Small readers shared by the goosebit scenarios. */
import type { SlotStatus } from '../../../src/rauc/types.js';
import type { AccessEntry } from './goosebit-server.js';

/** How often RAUC has written the slot (`installed.count` of GetSlotStatus; 0 when never). */
export function installedCount(slot: SlotStatus | undefined): number {
  const count = slot?.raw['installed.count'];
  return typeof count === 'number' || typeof count === 'bigint' ? Number(count) : 0;
}

const POLL = /^\/DEFAULT\/controller\/v1\/[^/?]+(\?.*)?$/;

/** The polls (`GET {base}`) among a device's requests. */
export function polls(entries: readonly AccessEntry[]): number {
  return entries.filter((entry) => entry.method === 'GET' && POLL.test(entry.path)).length;
}

/** Feedback posts (deployment) among a device's requests. */
export function feedbacks(entries: readonly AccessEntry[]): number {
  return entries.filter((entry) => entry.method === 'POST' && /\/deploymentBase\/[^/]+\/feedback$/.test(entry.path)).length;
}

/** Artifact downloads among a device's requests. */
export function downloads(entries: readonly AccessEntry[]): number {
  return entries.filter((entry) => entry.method === 'GET' && /\/download$/.test(entry.path)).length;
}
