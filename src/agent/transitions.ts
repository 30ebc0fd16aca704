import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';
import type { PhaseKind } from './state.js';

/**
 * The guards around the lifecycle table (lifecycle.ts, which derives the allowed moves): how often a
 * kind may be entered for one action, and the errors of a refused move.
 */
export const VISIT_LIMITS: Readonly<Record<PhaseKind, number>> = Object.freeze({
  idle: Number.POSITIVE_INFINITY,
  confirming: 50,
  downloading: 25,
  downloaded: 200,
  installing: 5,
  rebootPending: 5,
  verifying: 5,
  reporting: 200,
  cleanup: 10,
});

export class IllegalTransitionError extends HawkbitRaucError {
  override readonly name = 'IllegalTransitionError';
  readonly code = 'ILLEGAL_TRANSITION';
}

export function isIllegalTransitionError(value: unknown): value is IllegalTransitionError {
  return isErrorNamed(value, 'IllegalTransitionError');
}

/** A kind entered too often for the same action: the loop guard. */
export class StateLoopError extends HawkbitRaucError {
  override readonly name = 'StateLoopError';
  readonly code = 'STATE_LOOP';
  constructor(
    readonly kind: PhaseKind,
    readonly visits: number,
  ) {
    super(`state loop detected: '${kind}' entered ${visits} times for the same action`);
  }
}

export function isStateLoopError(value: unknown): value is StateLoopError {
  return isErrorNamed(value, 'StateLoopError');
}

/** An event a phase has no handler for, or an effect run in the wrong phase: a defect of the table. */
export class LifecycleDefectError extends HawkbitRaucError {
  override readonly name = 'LifecycleDefectError';
  readonly code = 'LIFECYCLE_DEFECT';
}
