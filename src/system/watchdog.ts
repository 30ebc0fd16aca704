import type { Logger } from '../log/index.js';
import type { LoopHeartbeat } from './heartbeat.js';
import type { System } from './system.js';

/** Pings per watchdog interval: systemd asks for at least two; four leave room for a late timer on a loaded device. */
export const PINGS_PER_INTERVAL = 4;

export interface WatchdogFeeder {
  /** Stops the timer (idempotent). */
  stop(): void;
}

/**
 * Feeds the systemd watchdog from a timer, independent of the network: WATCHDOG=1 every
 * interval / PINGS_PER_INTERVAL as long as `heartbeat` shows loop progress. Once the loop is stuck the
 * pings stop (logged once), and systemd restarts the service after WatchdogSec. A ping still in flight
 * (the notification is a child process) is not doubled. Returns undefined when there is no watchdog.
 */
export function startWatchdog(options: { system: System; heartbeat: LoopHeartbeat; log: Logger }): WatchdogFeeder | undefined {
  const { system, heartbeat, log } = options;
  const intervalMs = system.watchdogIntervalMs;
  if (intervalMs === undefined) return undefined;
  let inFlight = false;
  let stalled = false;
  const tick = (): void => {
    const silentMs = heartbeat.stalledForMs();
    if (silentMs !== undefined) {
      if (!stalled) log.error(`the update loop made no progress for ${Math.round(silentMs / 1000)} s: no longer feeding the watchdog, systemd restarts the service`);
      stalled = true;
      return;
    }
    if (stalled) log.message('the update loop makes progress again: feeding the watchdog');
    stalled = false;
    if (inFlight) return;
    inFlight = true;
    system
      .notify({ WATCHDOG: '1' })
      .catch(() => undefined)
      .finally(() => (inFlight = false));
  };
  const timer = setInterval(tick, Math.max(1, Math.floor(intervalMs / PINGS_PER_INTERVAL)));
  timer.unref();
  tick();
  return { stop: () => clearInterval(timer) };
}
