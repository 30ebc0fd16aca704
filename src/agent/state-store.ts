import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-file.js';
import { systemErrorCode } from '../lib/errors.js';
import { Redactor, type Logger } from '../log/index.js';
import { IDLE, PHASE_KINDS, type CompletedInstall, type Phase, type PersistedState, type PhaseKind, type StateRecovery } from './state.js';
import { assertTransition } from './lifecycle.js';
import { StateLoopError, VISIT_LIMITS } from './transitions.js';
import { isoTime } from '../lib/iso-time.js';

export const STATE_FILE = 'state.json';
/** Fields that name files on disk: written as they are, so that a restart still finds (and deletes) them. */
const FILE_PATHS: ReadonlySet<string> = new Set(['path', 'files']);
const SCHEMA = 1;

export { isStateLoopError, StateLoopError } from './transitions.js';

export type { StateRecovery } from './state.js';

export interface StateStoreOptions {
  readonly log: Logger;
  /** Applied to every string written (chunk names, versions, failure details may echo a secret). */
  readonly redactor?: Redactor;
  /** Called after every successful persist (tests use it to simulate a crash at a given state). */
  readonly onPersist?: (state: PersistedState) => void;
}

/**
 * The persisted lifecycle state in `<dir>/state.json`: versioned JSON, written atomically before the
 * side effects of each state run. Only moves of the lifecycle table (lifecycle.ts) are accepted.
 */
export class StateStore {
  readonly #dir: string;
  readonly #options: StateStoreOptions;
  #state: PersistedState = { schema: SCHEMA, phase: IDLE, visits: {}, updatedAt: isoTime(0) };

  constructor(dir: string, options: StateStoreOptions) {
    this.#dir = dir;
    this.#options = options;
  }

  get path(): string {
    return join(this.#dir, STATE_FILE);
  }

  get state(): PersistedState {
    return this.#state;
  }

  get phase(): Phase {
    return this.#state.phase;
  }

  /** Reads the state file. A missing file is a fresh start; a damaged one is moved aside (see StateRecovery). */
  async load(options: { readOnly?: boolean } = {}): Promise<StateRecovery | undefined> {
    if (!options.readOnly) await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (systemErrorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    const problem = validate(text);
    if (typeof problem !== 'string') {
      this.#state = problem;
      return undefined;
    }
    const actionId = /"id"\s*:\s*"([^"]{1,64})"/.exec(text)?.[1];
    if (options.readOnly) return { reason: problem, movedTo: undefined, actionId };
    const movedTo = `${this.path}.corrupt-${isoTime().replace(/[:.]/g, '-')}`;
    await rename(this.path, movedTo);
    this.#options.log.error(`state file ${this.path} is unusable (${problem}); moved to ${movedTo}, starting clean`);
    return { reason: problem, movedTo, actionId };
  }

  /**
   * Checks the transition, counts the visit (loop guard), persists, then returns the new state; with
   * `lastInstall`, the record of the installation RAUC just completed goes into the same write.
   */
  async transition(next: Phase, options: { lastInstall?: CompletedInstall } = {}): Promise<PersistedState> {
    const current = this.#state.phase;
    assertTransition(current.kind, next.kind);
    const sameAction = current.kind !== 'idle' && next.kind !== 'idle' && current.action.id === next.action.id;
    const visits = sameAction ? { ...this.#state.visits } : {};
    const count = (visits[next.kind] ?? 0) + 1;
    if (count > VISIT_LIMITS[next.kind]) throw new StateLoopError(next.kind, count);
    visits[next.kind] = count;
    const kept = options.lastInstall ? { lastInstall: options.lastInstall } : this.#kept();
    return this.#persist({ ...kept, schema: SCHEMA, phase: next, visits, updatedAt: isoTime() });
  }

  /** What outlives the action: the record of the last completed installation. */
  #kept(): Pick<PersistedState, 'lastInstall'> {
    return this.#state.lastInstall ? { lastInstall: this.#state.lastInstall } : {};
  }

  /**
   * Rewrites the current phase's data without counting a visit (e.g. the next bundle of an install),
   * with the record of a completed installation when given (one write for both). Nothing is written
   * when neither changes: each write is two fsyncs on the device's flash.
   */
  async update(phase: Phase, options: { lastInstall?: CompletedInstall } = {}): Promise<PersistedState> {
    if (phase.kind !== this.#state.phase.kind) throw new Error(`internal: update must keep the kind (${this.#state.phase.kind})`);
    const lastInstall = options.lastInstall ?? this.#state.lastInstall;
    if (sameJson(phase, this.#state.phase) && sameJson(lastInstall, this.#state.lastInstall)) return this.#state;
    return this.#persist({ ...this.#state, phase, ...(lastInstall ? { lastInstall } : {}), updatedAt: isoTime() });
  }

  async #persist(state: PersistedState): Promise<PersistedState> {
    await writeFileAtomic(this.path, `${(this.#options.redactor ?? new Redactor()).stringify(state, 2, FILE_PATHS)}\n`);
    this.#state = state;
    this.#options.onPersist?.(state);
    return state;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function validate(text: string): PersistedState | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text.length === 0 ? 'empty file' : 'not JSON (truncated or damaged)';
  }
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const state = value as Partial<PersistedState>;
  if (state.schema !== SCHEMA) return `unknown schema version ${JSON.stringify(state.schema)} (this version reads ${SCHEMA})`;
  const phase = state.phase as { kind?: unknown; action?: { id?: unknown } } | undefined;
  if (!phase || !PHASE_KINDS.includes(phase.kind as PhaseKind)) return `unknown phase ${JSON.stringify(phase?.kind)}`;
  if (phase.kind !== 'idle' && typeof phase.action?.id !== 'string') return 'phase without an action id';
  const lastInstall = isCompletedInstall(state.lastInstall) ? { lastInstall: state.lastInstall } : {};
  return { schema: SCHEMA, phase: migrate(state.phase as Phase), visits: state.visits ?? {}, updatedAt: String(state.updatedAt), ...lastInstall };
}

/**
 * Files of older versions (same schema, fewer fields): an `installing` phase without a handover
 * record cannot tell whether RAUC was called, so it is marked `unknown` and settled the old way.
 */
function migrate(phase: Phase): Phase {
  const handover = (phase as { handover?: { stage?: unknown; slots?: unknown } }).handover;
  const usable = handover?.stage === 'none' || (handover?.stage === 'requested' && Array.isArray(handover.slots));
  if (phase.kind === 'installing' && !usable) return { ...phase, handover: { stage: 'unknown' } };
  return phase;
}

/** The record of the last completed installation, as far as the update policy relies on it (anything else is ignored). */
function isCompletedInstall(value: unknown): value is CompletedInstall {
  const record = value as { actionId?: unknown; bundles?: unknown } | null | undefined;
  return (
    typeof record?.actionId === 'string' &&
    Array.isArray(record.bundles) &&
    record.bundles.every((bundle: { version?: unknown; slot?: { name?: unknown } } | null) => typeof bundle?.version === 'string' && typeof bundle.slot?.name === 'string')
  );
}
