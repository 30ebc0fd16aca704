import { appendFileSync } from 'node:fs';
import type { Logger } from '../log/index.js';
import type { PhaseKind } from './state.js';

/**
 * Named points of the installation at which a test can stop the service, to kill it there (SIGKILL)
 * and check what a restart does: after the "Installing … with RAUC" feedback (`before-handover`),
 * after the handover record was persisted and right before InstallBundle (`before-install`), and
 * after RAUC completed but before anything was recorded (`after-install`).
 */
export const CHECKPOINTS = ['before-handover', 'before-install', 'after-install'] as const;
export type Checkpoint = (typeof CHECKPOINTS)[number];

/** For tests only; a production unit never sets it (like HAWKBIT_RAUC_BOOT_ID_FILE). */
export const PAUSE_AT_ENV = 'HAWKBIT_RAUC_TEST_PAUSE_AT';

/**
 * `HAWKBIT_RAUC_TEST_PAUSE_AT=before-install` (comma-separated points): at that point the service logs
 * "test checkpoint 'before-install' reached" and waits until it is stopped. Undefined when unset.
 */
export function checkpointFromEnv(env: NodeJS.ProcessEnv, log: Logger): ((point: Checkpoint, signal: AbortSignal) => Promise<void>) | undefined {
  const wanted = env[PAUSE_AT_ENV]?.split(',').map((point) => point.trim()).filter(Boolean);
  if (!wanted || wanted.length === 0) return undefined;
  const unknown = wanted.filter((point) => !(CHECKPOINTS as readonly string[]).includes(point));
  if (unknown.length > 0) throw new Error(`${PAUSE_AT_ENV}: unknown checkpoint ${unknown.join(', ')} (known: ${CHECKPOINTS.join(', ')})`);
  log.warning(`${PAUSE_AT_ENV} is set (for tests only): the service pauses at ${wanted.join(', ')}`);
  return async (point, signal) => {
    if (!wanted.includes(point)) return;
    log.warning(`test checkpoint '${point}' reached: paused until the service is stopped`);
    await new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  };
}

/** One move of the lifecycle table as the runner made it. */
export interface LifecycleMove {
  readonly from: PhaseKind;
  readonly to: PhaseKind;
  readonly event: string;
}

/** For tests only: a file that gets one JSON line per move (scripts/check-move-coverage.ts reads it). */
export const MOVES_ENV = 'HAWKBIT_RAUC_TEST_MOVES';

/**
 * `HAWKBIT_RAUC_TEST_MOVES=/path/moves.jsonl`: every move is appended to that file as one JSON line
 * (synchronously, so that a process killed right after still recorded it). Undefined when unset.
 */
export function moveRecorderFromEnv(env: NodeJS.ProcessEnv): ((move: LifecycleMove) => void) | undefined {
  const file = env[MOVES_ENV];
  if (!file) return undefined;
  return (move) => appendFileSync(file, `${JSON.stringify(move)}\n`);
}
