import { appendFileSync, writeSync } from 'node:fs';
import type { Logger } from '../log/index.js';
import { PHASE_KINDS, type PersistedState, type PhaseKind } from './state.js';

/**
 * Named points of the installation at which a test can stop the service, to kill it there (SIGKILL)
 * and check what a restart does: before RAUC's state is read for the handover record and persisted
 * (`before-handover`; for the first bundle that write enters `installing`, so the action is still
 * `downloaded` there), after the handover record was persisted and right before InstallBundle
 * (`before-install`), and after RAUC completed but before anything was recorded (`after-install`).
 */
export const CHECKPOINTS = ['before-handover', 'before-install', 'after-install'] as const;
export type Checkpoint = (typeof CHECKPOINTS)[number];

/** For tests only; a production unit never sets it (like HAWKBIT_RAUC_BOOT_ID_FILE). */
export const PAUSE_AT_ENV = 'HAWKBIT_RAUC_TEST_PAUSE_AT';

/** `persisted:<phase>`: the first time that phase is written to the state file. */
const PERSISTED = 'persisted:';

function wantedPoints(env: NodeJS.ProcessEnv): string[] | undefined {
  const wanted = env[PAUSE_AT_ENV]?.split(',').map((point) => point.trim()).filter(Boolean);
  if (!wanted || wanted.length === 0) return undefined;
  const known = (point: string) => (CHECKPOINTS as readonly string[]).includes(point) || (point.startsWith(PERSISTED) && (PHASE_KINDS as readonly string[]).includes(point.slice(PERSISTED.length)));
  const unknown = wanted.filter((point) => !known(point));
  if (unknown.length > 0) throw new Error(`${PAUSE_AT_ENV}: unknown checkpoint ${unknown.join(', ')} (known: ${[...CHECKPOINTS, ...PHASE_KINDS.map((kind) => PERSISTED + kind)].join(', ')})`);
  return wanted;
}

/**
 * `HAWKBIT_RAUC_TEST_PAUSE_AT=before-install` (comma-separated points): at that point the service logs
 * "test checkpoint 'before-install' reached" and waits until it is stopped. Undefined when unset.
 */
export function checkpointFromEnv(env: NodeJS.ProcessEnv, log: Logger): ((point: Checkpoint, signal: AbortSignal) => Promise<void>) | undefined {
  const wanted = wantedPoints(env);
  if (!wanted) return undefined;
  log.warning(`${PAUSE_AT_ENV} is set (for tests only): the service pauses at ${wanted.join(', ')}`);
  if (!wanted.some((point) => (CHECKPOINTS as readonly string[]).includes(point))) return undefined;
  return async (point, signal) => {
    if (!wanted.includes(point)) return;
    log.warning(`test checkpoint '${point}' reached: paused until the service is stopped`);
    await new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  };
}

/**
 * `HAWKBIT_RAUC_TEST_PAUSE_AT=persisted:cleanup`: right after the state file first holds that phase
 * (before any of its side effects), the service writes "test checkpoint 'persisted:cleanup' reached" to
 * stderr and freezes: the event loop stops, so only SIGKILL ends it — a kill at exactly that point.
 */
export function freezeOnPersistFromEnv(env: NodeJS.ProcessEnv): ((state: PersistedState) => void) | undefined {
  const kinds = wantedPoints(env)?.filter((point) => point.startsWith(PERSISTED)).map((point) => point.slice(PERSISTED.length) as PhaseKind);
  if (!kinds || kinds.length === 0) return undefined;
  return (state) => {
    if (!kinds.includes(state.phase.kind)) return;
    writeSync(2, `test checkpoint '${PERSISTED}${state.phase.kind}' reached: frozen until killed (SIGKILL)\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
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
