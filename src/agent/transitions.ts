import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';
import type { PhaseKind } from './state.js';

/**
 * THE transition table of the update lifecycle: from each kind, the kinds it may go to. Every state
 * change goes through StateStore.transition, which checks it here before persisting.
 */
export const TRANSITIONS: Readonly<Record<PhaseKind, readonly PhaseKind[]>> = Object.freeze({
  idle: ['confirming', 'downloading', 'reporting', 'cleanup'],
  confirming: ['confirming', 'downloading', 'reporting', 'cleanup', 'idle'],
  downloading: ['downloading', 'downloaded', 'installing', 'reporting', 'cleanup'],
  downloaded: ['downloaded', 'downloading', 'installing', 'reporting', 'cleanup'],
  installing: ['installing', 'rebootPending', 'reporting'],
  rebootPending: ['rebootPending', 'verifying', 'reporting'],
  verifying: ['reporting'],
  reporting: ['reporting', 'cleanup'],
  cleanup: ['idle'],
});

/** How often a kind may be entered for one action before the loop guard reports failure. */
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

export function assertTransition(from: PhaseKind, to: PhaseKind): void {
  if (!TRANSITIONS[from].includes(to)) {
    throw new IllegalTransitionError(`illegal lifecycle transition ${from} → ${to}`);
  }
}
