import { setTimeout as sleep } from 'node:timers/promises';

/** True for the error an aborted AbortSignal produces (DOMException AbortError or its reason). */
export function isAbortError(value: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && value === signal.reason) return true;
  return value instanceof Error && (value.name === 'AbortError' || value.name === 'TimeoutError');
}

/** Waits `ms` milliseconds; rejects with the signal's reason as soon as the signal aborts. */
export async function delay(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  options.signal?.throwIfAborted();
  try {
    await sleep(Math.max(0, ms), undefined, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw error;
  }
}

/** A signal that aborts when any of `signals` aborts (undefined entries are skipped). */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length === 1 ? present[0]! : AbortSignal.any(present);
}
