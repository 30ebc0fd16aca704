import type { CancelHandle, ConfirmationHandle } from '../ddi/index.js';
import type { Config } from '../config/index.js';
import type { DeploymentPlan } from './deployment-plan.js';
import type { Note } from './feedback.js';
import type { ActionRecord, ActionType, CompletedInstall, Handover, Outcome, Phase, PhaseKind } from './state.js';
import type { StatusSnapshot } from './status-board.js';

/** How a run of an action ended for now. */
export type RunEnd =
  | { readonly end: 'finished'; readonly outcome: Outcome }
  | { readonly end: 'waiting'; readonly reason: string }
  | { readonly end: 'rebooting' | 'awaitingReboot' }
  /** The server canceled the action while it failed before the installation; the cancel was answered. */
  | { readonly end: 'canceled' }
  | { readonly end: 'reportPending'; readonly outcome: Outcome };

/** How a dispatch ends: a run end, `done` (nothing more now) or `retry` (RAUC not up yet: settle again later). */
export type End = RunEnd | { readonly end: 'done' | 'retry' };

export type PhaseOf<K extends PhaseKind> = Extract<Phase, { kind: K }>;
export type InstallingPhase = PhaseOf<'installing'>;

/** A deployment as read, with the details of what it skips (non-bundle files). */
interface Planned {
  readonly plan: DeploymentPlan;
  readonly skipped: readonly string[];
}

/** Everything that can happen to the persisted action: from the server, from RAUC, or as the result of an effect. */
export type LifecycleEvent =
  | { readonly type: 'resume' }
  | { readonly type: 'offer' }
  | ({ readonly type: 'deployment' } & Planned)
  | ({ readonly type: 'gate'; readonly stage: 'download' | 'install'; readonly refusal: string | undefined } & Planned)
  | ({ readonly type: 'downloaded'; readonly action: ActionRecord; readonly details: readonly string[] } & Planned)
  | { readonly type: 'kept'; readonly details: readonly string[] }
  | { readonly type: 'refused'; readonly outcome: Outcome }
  | ({ readonly type: 'filesGone' } & Planned)
  /** `handover`: RAUC's state read right before `installing` is persisted, the handover record of the first bundle. */
  | ({ readonly type: 'ready'; readonly details: readonly string[]; readonly startedAt: number; readonly bootId: string; readonly handover: Handover } & Planned)
  | { readonly type: 'settled'; readonly phase: InstallingPhase; readonly visit: boolean; readonly lastInstall?: CompletedInstall }
  /** `lastInstall`: the record of the last bundle, persisted with the move out of `installing` (not in a write of its own). */
  | { readonly type: 'installed'; readonly expectedSlot: string | undefined; readonly bootId: string; readonly lastInstall?: CompletedInstall }
  | { readonly type: 'booted'; readonly bootId: string }
  | { readonly type: 'rebootFailed'; readonly error: unknown; readonly again: boolean }
  | { readonly type: 'verified'; readonly outcome: Outcome }
  | { readonly type: 'delivered'; readonly outcome: Outcome }
  | { readonly type: 'cleaned'; readonly after: Note | undefined; readonly outcome: Outcome | undefined }
  | { readonly type: 'cancel'; readonly stopId: string; readonly stopped: boolean; readonly before: PhaseKind | undefined }
  | { readonly type: 'confirmation'; readonly actionId: string; readonly actionType: ActionType; readonly decision: 'confirmed' | 'denied' | 'pending'; readonly details: string }
  | { readonly type: 'responded'; readonly actionId: string; readonly decision: 'confirmed' | 'denied'; readonly details: string }
  | { readonly type: 'gone'; readonly replacedBy: string | undefined }
  | { readonly type: 'lost'; readonly actionId: string }
  | { readonly type: 'failed'; readonly error: unknown; readonly actionId: string; readonly cancelChecked: boolean };

export type EventType = LifecycleEvent['type'];
export type EventOf<T extends EventType> = Extract<LifecycleEvent, { type: T }>;

/** The side effect a step asks the runner to run (after the next phase is persisted); it yields the next event or an end. */
export type Effect =
  | { readonly kind: 'fetch' }
  | ({ readonly kind: 'gate'; readonly stage: 'download' | 'install' } & Planned)
  | ({ readonly kind: 'download'; readonly action: ActionRecord } & Planned)
  | ({ readonly kind: 'prepareInstall'; readonly action: ActionRecord } & Planned)
  | { readonly kind: 'install'; readonly plan: DeploymentPlan }
  | { readonly kind: 'settleInstall' }
  | { readonly kind: 'finishInstall'; readonly lastInstall?: CompletedInstall }
  | { readonly kind: 'bootId' }
  | { readonly kind: 'reboot'; readonly again: boolean }
  | { readonly kind: 'verify' }
  | { readonly kind: 'deliver' }
  | { readonly kind: 'cleanup'; readonly after?: Note; readonly outcome?: Outcome }
  | { readonly kind: 'askCancel'; readonly error: unknown; readonly actionId: string }
  | { readonly kind: 'respond'; readonly decision: 'confirmed' | 'denied'; readonly details: string }
  | { readonly kind: 'wait'; readonly reason: string; readonly report: boolean; readonly gateRefused: boolean }
  | { readonly kind: 'emit'; readonly event: LifecycleEvent };

/** Feedback of a step: `progress` is best effort, `final` must arrive (else it throws), `ack` is logged when it does not. */
export interface StepFeedback {
  readonly note: Note;
  readonly mode: 'progress' | 'final' | 'ack';
}

/** What a handler decides: the next phase (persisted first), then status, log and feedback, then the effect, or an end. */
export interface Step {
  readonly next?: Phase;
  /** Rewrite the phase's data without counting a visit (same kind). */
  readonly update?: boolean;
  /** The record of the installation RAUC just completed, written in the same write as `next` (a move or an update). */
  readonly lastInstall?: CompletedInstall;
  readonly status?: Partial<StatusSnapshot>;
  readonly log?: readonly (readonly ['message' | 'warning' | 'error', string])[];
  readonly feedback?: StepFeedback;
  readonly effect?: Effect;
  readonly end?: End;
}

/** What handlers know of the configuration (values, no I/O). */
export type LifecycleValues = Pick<Config, 'verifyAfterReboot' | 'postUpdateReboot' | 'hawkbitServer' | 'tenantId' | 'targetName'>;

/** Where the event came from: `resume` at start, before the first poll (no feedback channel); `server` otherwise. */
export type Origin = 'resume' | 'server';

export interface HandlerContext {
  readonly values: LifecycleValues;
  readonly origin: Origin;
}

/** One cell of the table: what it does, each phase the handler may go to and why (checked by the runner), and the handler. */
export interface Entry<K extends PhaseKind, T extends EventType> {
  readonly to: Readonly<Partial<Record<PhaseKind, string>>>;
  readonly why: string;
  readonly run: (phase: PhaseOf<K>, event: EventOf<T>, context: HandlerContext) => Step;
}

export type Table = { readonly [K in PhaseKind]: { readonly [T in EventType]?: Entry<K, T> } };

export type { CancelHandle, ConfirmationHandle };
