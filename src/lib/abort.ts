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

export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** True when the timeout (not one of the linked signals) aborted it. */
  readonly timedOut: boolean;
  /** Detaches from the linked signals and clears the timer. Call it when the work is done. */
  dispose(): void;
}

/**
 * A signal that aborts when any of `signals` aborts (with that signal's reason) or, given `timeoutMs`,
 * when the time is up (with a TimeoutError). Unlike AbortSignal.any, whose links to a long-lived signal
 * are never released on Node 20 (nodejs/node#55351), everything is detached by dispose(), so a
 * long-running service can link one per request.
 */
export function linkSignals(signals: readonly (AbortSignal | undefined)[], timeoutMs?: number): LinkedSignal {
  const controller = new AbortController();
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  let timedOut = false;
  const listeners = present.map((source) => {
    const listener = () => controller.abort(source.reason);
    return { source, listener };
  });
  const timer =
    timeoutMs !== undefined && timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
        }, timeoutMs)
      : undefined;
  const dispose = () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const { source, listener } of listeners) source.removeEventListener('abort', listener);
  };
  for (const { source, listener } of listeners) {
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    source.addEventListener('abort', listener, { once: true });
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose,
  };
}
