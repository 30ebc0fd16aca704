import { errorMessage } from '../lib/errors.js';
import { isRaucUnavailableError } from '../rauc/index.js';
import { failureFromError } from './failures.js';
import { unsupported } from './feedback.js';
import { describeBundles } from './install-step.js';
import type { DeploymentPlan } from './deployment-plan.js';
import type { EventOf, HandlerContext, LifecycleEvent, PhaseOf, Step } from './lifecycle-types.js';
import { IDLE, type ActionRecord, type Outcome, type Phase } from './state.js';
import { actionTransactionId } from './transaction-id.js';

/** Pure building blocks of the table's handlers (lifecycle.ts): each returns a Step, none does I/O. */

export function emptyAction(id: string): ActionRecord {
  return { id, type: 'forced', bundles: [], files: [] };
}

/** The action a deployment continues: the persisted one when it is the same action, else a new record. */
export function actionFor(phase: Phase, plan: DeploymentPlan): ActionRecord {
  const own = phase.kind !== 'idle' && phase.action.id === plan.actionId ? phase.action : undefined;
  return own ?? { ...emptyAction(plan.actionId), type: plan.type };
}

/** Persist the outcome (`reporting`), then deliver it as the final feedback. */
export function report(action: ActionRecord, outcome: Outcome, log: Step['log'] = []): Step {
  return { next: { kind: 'reporting', action, outcome }, log, effect: { kind: 'deliver' } };
}

/** Waiting for the server, the window or the gate: said once per reason, asked again at the next poll. */
export function wait(reason: string, report = true, gateRefused = false): Step {
  return { effect: { kind: 'wait', reason, report, gateRefused } };
}

/** Delete the action's files, then idle (`after`: feedback to send once idle). */
export function cleanUp(action: ActionRecord, effect: { after?: Step['feedback']; outcome?: Outcome } = {}): Step {
  return { next: { kind: 'cleanup', action }, effect: { kind: 'cleanup', ...(effect.after ? { after: effect.after.note } : {}), ...(effect.outcome ? { outcome: effect.outcome } : {}) } };
}

/** The deployment was read: what every phase that reads it does first. */
export function readDeployment(phase: Phase, event: EventOf<'deployment'>, go: (action: ActionRecord) => Step): Step {
  const { plan, skipped } = event;
  const action = actionFor(phase, plan);
  const log: ['message' | 'error', string][] = skipped.length > 0 ? [['message', `action ${plan.actionId}: ${skipped.join('; ')}`]] : [];
  const status = { actionId: action.id, activity: `action ${action.id} (${plan.type})`, waitingFor: undefined };
  if (plan.problem) {
    return { ...report(action, unsupported(plan.problem), [...log, ['error', `action ${action.id} cannot be carried out: ${plan.problem}`]]), status };
  }
  const step = go(action);
  return { ...step, status: { ...status, ...step.status }, log: [...log, ...(step.log ?? [])] };
}

/** Any error of the work on an action: before the installation a pending cancel wins; otherwise it is the action's failure. */
export function failed(phase: Phase, event: EventOf<'failed'>, context: HandlerContext, cancelable: boolean): Step {
  const action = phase.kind === 'idle' ? emptyAction(event.actionId) : phase.action;
  if (context.origin === 'resume') {
    if (isRaucUnavailableError(event.error)) {
      return { log: [['warning', `RAUC is not available yet (${errorMessage(event.error)}); the ${phase.kind} phase is settled once it is`]], end: { end: 'retry' } };
    }
    return report(action, failureFromError(event.error), [['error', `action ${action.id}: ${errorMessage(event.error)}`]]);
  }
  if (cancelable && !event.cancelChecked) return { effect: { kind: 'askCancel', error: event.error, actionId: action.id } };
  return report(action, failureFromError(event.error), [['error', `action ${action.id} failed: ${errorMessage(event.error)}`]]);
}

/** RAUC completed every bundle: report success now, or persist `rebootPending` and reboot (or wait for one). */
export function installed(phase: PhaseOf<'installing'>, event: EventOf<'installed'>, context: HandlerContext): Step {
  const { action } = phase;
  const target = event.expectedSlot ? ` to ${event.expectedSlot}` : '';
  // The record of the last bundle RAUC completed goes into this move's write (not one of its own).
  const record = event.lastInstall ? { lastInstall: event.lastInstall } : {};
  if (!context.values.verifyAfterReboot) return { ...report(action, { result: 'success', details: [`Installed ${describeBundles(action)}${target}`] }), ...record };
  const transactionId = action.transactionId ?? actionTransactionId(context.values, action.id);
  const next = context.values.postUpdateReboot ? 'rebooting' : 'waiting for a reboot to verify it';
  return {
    next: { kind: 'rebootPending', action: { ...action, transactionId }, bootId: event.bootId, expectedSlot: event.expectedSlot },
    ...record,
    status: { activity: `installed${target}; ${next}`, progress: undefined },
    feedback: { note: { kind: 'installed', details: [`Installed ${describeBundles(action)}${target}; ${next}`] }, mode: 'progress' },
    ...(context.values.postUpdateReboot ? { effect: { kind: 'reboot', again: false } } : { end: { end: 'awaitingReboot' } }),
  };
}

/** The reboot was refused: the installation stands, the action failed (asked again after a restart: the plain failure). */
export function rebootFailed(phase: PhaseOf<'rebootPending'>, event: EventOf<'rebootFailed'>): Step {
  const failure = failureFromError(event.error);
  if (event.again) return report(phase.action, failure, [['error', `action ${phase.action.id}: ${errorMessage(event.error)}`]]);
  const target = phase.expectedSlot ? ` to ${phase.expectedSlot}` : '';
  return report(phase.action, { ...failure, details: [`Installed${target}, but the reboot failed: ${errorMessage(event.error)}`] });
}

/** A cancel from the server: before the installation, stop, delete the files and accept; from it on, refuse. */
export function cancel(phase: Phase, event: EventOf<'cancel'>, cancelable: boolean): Step {
  const ours = phase.kind !== 'idle' && phase.action.id === event.stopId ? phase : undefined;
  if (ours && !cancelable) {
    return { log: [['warning', `cancel of action ${event.stopId} refused: phase '${ours.kind}'`]], feedback: { note: { kind: 'cancelRefused', phase: ours.kind }, mode: 'final' } };
  }
  const what =
    event.before !== undefined || event.stopped
      ? `canceled in phase '${event.before ?? 'starting'}', before the installation; files removed`
      : 'canceled: the action was not running on this device';
  const log: Step['log'] = [['message', `action ${event.stopId} ${what}`]];
  const accepted: Step['feedback'] = { note: { kind: 'cancelAccepted', details: [what] }, mode: 'ack' };
  return ours ? { ...cleanUp(ours.action, { after: accepted }), log } : { log, feedback: accepted };
}

/** hawkBit asked for a confirmation: answer it (auto, command, a local decision) or wait for one (manual). */
export function confirmation(phase: Phase, event: EventOf<'confirmation'>): Step {
  const known = phase.kind === 'confirming' && phase.action.id === event.actionId;
  if (event.decision !== 'pending') return { effect: { kind: 'respond', decision: event.decision, details: event.details } };
  if (known) return {};
  return {
    next: { kind: 'confirming', action: { ...emptyAction(event.actionId), type: event.actionType }, denied: false },
    log: [['message', event.details]],
    status: { actionId: event.actionId, activity: 'awaiting confirmation', waitingFor: `confirm or deny action ${event.actionId}` },
  };
}

/** The answer reached the server: a denial is remembered (not asked again), a confirmation ends the wait. */
export function responded(phase: Phase, event: EventOf<'responded'>): Step {
  const known = phase.kind === 'confirming' && phase.action.id === event.actionId ? phase : undefined;
  const log: Step['log'] = [['message', `action ${event.actionId} ${event.details}`]];
  if (event.decision === 'denied') {
    if (known) return { next: { ...known, denied: true }, update: true, log };
    return { next: { kind: 'confirming', action: emptyAction(event.actionId), denied: true }, log };
  }
  return known ? { next: IDLE, log } : { log };
}

export function done(): Step {
  return { end: { end: 'done' } };
}

export function fetch(): Step {
  return { effect: { kind: 'fetch' } };
}

/** Idle or confirming, the deployment read: the gate is asked before the download, unless the server does not want it yet. */
export function beforeDownload(phase: Phase, event: EventOf<'deployment'>): Step {
  return readDeployment(phase, event, () =>
    event.plan.download ? { effect: { kind: 'gate', stage: 'download', plan: event.plan, skipped: event.skipped } } : wait('the server has not asked for the download yet', false),
  );
}

/** The gate before the download answered: refused → wait (said once); go → persist `downloading` and download. */
export function downloadGate(phase: Phase, event: EventOf<'gate'>): Step {
  if (event.refusal !== undefined) return wait(event.refusal, true, true);
  const action = actionFor(phase, event.plan);
  return { next: { kind: 'downloading', action }, effect: { kind: 'download', action, plan: event.plan, skipped: event.skipped } };
}

export function startDownload(phase: PhaseOf<'downloading'>, event: EventOf<'deployment'>): Step {
  return readDeployment(phase, event, (action) => ({ effect: { kind: 'download', action, plan: event.plan, skipped: event.skipped } }));
}

/** Persist `downloaded`; a download-only action is done, any other goes on to the installation (or waits). */
export function downloaded(_: PhaseOf<'downloading'>, event: EventOf<'downloaded'>): Step {
  const next = { kind: 'downloaded', action: event.action } as const;
  if (event.plan.type === 'downloadOnly') return { next, ...then({ type: 'kept', details: event.details }) };
  return { next, feedback: { note: { kind: 'downloaded', details: event.details }, mode: 'progress' }, ...towardsInstall(event.plan, event.skipped) };
}

/** Downloaded, the deployment read: the gate is asked before the installation, unless the server (or its maintenance window) says wait. */
export function beforeInstall(phase: PhaseOf<'downloaded'>, event: EventOf<'deployment'>): Step {
  return readDeployment(phase, event, () => towardsInstall(event.plan, event.skipped));
}

function towardsInstall(plan: DeploymentPlan, skipped: readonly string[]): Step {
  if (plan.install) return { effect: { kind: 'gate', stage: 'install', plan, skipped } };
  return wait(plan.waitingForWindow ? 'waiting for the maintenance window' : 'the server has not asked for the installation yet');
}

export function installGate(phase: PhaseOf<'downloaded'>, event: EventOf<'gate'>): Step {
  if (event.refusal !== undefined) return wait(event.refusal, true, true);
  return { effect: { kind: 'prepareInstall', action: phase.action, plan: event.plan, skipped: event.skipped } };
}

export function downloadAgain(phase: PhaseOf<'downloaded'>, event: EventOf<'filesGone'>): Step {
  return {
    next: { kind: 'downloading', action: phase.action },
    log: [['warning', `downloaded files of action ${phase.action.id} are gone; downloading again`]],
    effect: { kind: 'download', action: phase.action, plan: event.plan, skipped: event.skipped },
  };
}

/** Persist `installing` with the first bundle's handover record (RAUC's state, read just before), say so, install. */
export function startInstall(phase: PhaseOf<'downloaded'>, event: EventOf<'ready'>): Step {
  return {
    next: { kind: 'installing', action: phase.action, installed: 0, startedAt: event.startedAt, bootId: event.bootId, handover: event.handover },
    ...installing(phase.action, event.details, event.plan),
  };
}

/** The "Installing … with RAUC" feedback, then the installation of what is left. */
export function installing(action: ActionRecord, details: readonly string[], plan: DeploymentPlan): Step {
  return {
    status: { activity: `installing ${describeBundles(action)}` },
    feedback: { note: { kind: 'installing', details: [`Installing ${describeBundles(action)} with RAUC`, ...details] }, mode: 'progress' },
    effect: { kind: 'install', plan },
  };
}

/**
 * After a restart: persist where the installation goes on; what is left is installed when the server
 * offers the action. Every bundle done: no write here, the move out of `installing` carries the record
 * of the last one (a kill before it is settled the same way again).
 */
export function settled(_: PhaseOf<'installing'>, event: EventOf<'settled'>): Step {
  const left = event.phase.installed < event.phase.action.bundles.length;
  if (!left) return { effect: { kind: 'finishInstall', ...(event.lastInstall ? { lastInstall: event.lastInstall } : {}) } };
  const record = event.lastInstall ? { lastInstall: event.lastInstall } : {};
  return { next: event.phase, update: !event.visit, ...record, ...done() };
}

/** After a restart: a new boot id → verify; the same one → ask for the reboot again (post_update_reboot) or keep waiting. */
export function booted(phase: PhaseOf<'rebootPending'>, event: EventOf<'booted'>, context: HandlerContext): Step {
  if (event.bootId !== phase.bootId) return { next: { ...phase, kind: 'verifying' }, ...then({ type: 'resume' }) };
  if (!context.values.postUpdateReboot) return { log: [['message', `action ${phase.action.id} is installed and waits for a reboot to be verified`]], ...done() };
  return { next: phase, log: [['warning', `action ${phase.action.id} was installed but the machine did not reboot yet; asking again`]], effect: { kind: 'reboot', again: true } };
}

export function verified(phase: PhaseOf<'verifying'>, event: EventOf<'verified'>): Step {
  return report(phase.action, event.outcome, [['message', `post-reboot verification of action ${phase.action.id}: ${event.outcome.result}`]]);
}

/** Idle; a cancel is acknowledged now, a finished action ends its run. */
export function cleaned(_: PhaseOf<'cleanup'>, event: EventOf<'cleaned'>): Step {
  return {
    next: IDLE,
    status: { actionId: undefined, activity: 'idle', progress: undefined, waitingFor: undefined },
    ...(event.after ? { feedback: { note: event.after, mode: 'ack' } } : {}),
    end: event.outcome ? { end: 'finished', outcome: event.outcome } : { end: 'done' },
  };
}

/** An effect yields the next event right away. */
export function then(event: LifecycleEvent): Step {
  return { effect: { kind: 'emit', event } };
}
