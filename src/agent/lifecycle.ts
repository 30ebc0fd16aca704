import { NO_HANDOVER, type PhaseKind } from './state.js';
import { IllegalTransitionError } from './transitions.js';
import type { Entry, EventType, Table } from './lifecycle-types.js';
import { lostState } from './feedback.js';
import * as step from './lifecycle-steps.js';

/**
 * THE lifecycle of an action, as one table: for each persisted phase, what each event does. A handler
 * is pure: from (phase, event, configuration values) it returns the next phase (persisted first), the
 * feedback to send and the effect to run (lifecycle-effects.ts: download, install, reboot, verify, …),
 * whose result is the next event. `to` lists every phase the handler may go to: the runner refuses
 * anything else, and the allowed moves, the cancelable and droppable phases and docs/lifecycle.md are
 * derived from it. An event a phase does not list is not expected there (`failed` then rethrows).
 */
export const LIFECYCLE: Table = {
  idle: {
    resume: { to: [], why: 'nothing to settle', run: () => ({ end: { end: 'done' } }) },
    offer: { to: [], why: 'read the deployment', run: () => ({ effect: { kind: 'fetch' } }) },
    deployment: {
      to: ['reporting'],
      why: 'unusable deployment',
      run: (phase, event) => step.readDeployment(phase, event, () => (event.plan.download ? { effect: { kind: 'gate', stage: 'download', plan: event.plan, skipped: event.skipped } } : step.wait('the server has not asked for the download yet', false))),
    },
    gate: { to: ['downloading'], why: 'gate says go', run: (phase, event) => downloadGate(phase, event) },
    confirmation: { to: ['confirming'], why: 'confirmation asked (policy manual) or denied', run: step.confirmation },
    responded: { to: ['confirming'], why: 'denied (not asked again)', run: step.responded },
    cancel: { to: [], why: 'not running here: accepted', run: (phase, event) => step.cancel(phase, event, true) },
    lost: { to: ['reporting'], why: 'state file was damaged', run: (_, event) => step.report(step.emptyAction(event.actionId), lostState()) },
    failed: { to: ['reporting'], why: 'failure', run: (phase, event, context) => step.failed(phase, event, context, true) },
  },
  confirming: {
    resume: { to: [], why: 'the server asks again', run: () => ({ end: { end: 'done' } }) },
    offer: { to: [], why: 'read the deployment', run: () => ({ effect: { kind: 'fetch' } }) },
    deployment: {
      to: ['reporting'],
      why: 'unusable deployment',
      run: (phase, event) => step.readDeployment(phase, event, () => (event.plan.download ? { effect: { kind: 'gate', stage: 'download', plan: event.plan, skipped: event.skipped } } : step.wait('the server has not asked for the download yet', false))),
    },
    gate: { to: ['downloading'], why: 'deployment offered after confirmation, gate says go', run: (phase, event) => downloadGate(phase, event) },
    confirmation: { to: ['confirming'], why: 'another action asks', run: step.confirmation },
    responded: { to: ['confirming', 'idle'], why: 'denied (not asked again) / confirmed', run: step.responded },
    cancel: { to: ['cleanup'], why: 'canceled', run: (phase, event) => step.cancel(phase, event, true) },
    failed: { to: ['reporting'], why: 'failure', run: (phase, event, context) => step.failed(phase, event, context, true) },
  },
  downloading: {
    confirmation: { to: [], why: 'answered (a wait or denial is refused here)', run: step.confirmation },
    responded: { to: [], why: 'answered', run: step.responded },
    resume: { to: [], why: 'resumed when offered again', run: () => ({ end: { end: 'done' } }) },
    offer: { to: [], why: 'read the deployment', run: () => ({ effect: { kind: 'fetch' } }) },
    deployment: {
      to: ['reporting'],
      why: 'unusable deployment',
      run: (phase, event) => step.readDeployment(phase, event, (action) => ({ effect: { kind: 'download', action, plan: event.plan, skipped: event.skipped } })),
    },
    refused: { to: ['reporting'], why: 'skipped or refused by the update policy', run: (phase, event) => step.report(phase.action, event.outcome) },
    downloaded: {
      to: ['downloaded'],
      why: 'every artifact verified',
      run: (_, event) => ({
        next: { kind: 'downloaded', action: event.action },
        ...(event.plan.type === 'downloadOnly'
          ? step.then({ type: 'kept', details: event.details })
          : { feedback: { note: { kind: 'downloaded', details: event.details }, mode: 'progress' }, ...step.then({ type: 'deployment', plan: event.plan, skipped: event.skipped }) }),
      }),
    },
    cancel: { to: ['cleanup'], why: 'canceled', run: (phase, event) => step.cancel(phase, event, true) },
    gone: { to: ['cleanup'], why: 'no longer offered', run: (phase) => step.cleanUp(phase.action) },
    failed: { to: ['reporting'], why: 'failure', run: (phase, event, context) => step.failed(phase, event, context, true) },
  },
  downloaded: {
    resume: { to: [], why: 'installed when offered again', run: () => ({ end: { end: 'done' } }) },
    offer: { to: [], why: 'read the deployment', run: () => ({ effect: { kind: 'fetch' } }) },
    confirmation: { to: [], why: 'answered (a wait or denial is refused here)', run: step.confirmation },
    responded: { to: [], why: 'answered', run: step.responded },
    deployment: {
      to: ['reporting'],
      why: 'unusable deployment',
      run: (phase, event) =>
        step.readDeployment(phase, event, () => {
          if (event.plan.install) return { effect: { kind: 'gate', stage: 'install', plan: event.plan, skipped: event.skipped } };
          return step.wait(event.plan.waitingForWindow ? 'waiting for the maintenance window' : 'the server has not asked for the installation yet');
        }),
    },
    gate: {
      to: [],
      why: 'gate says go: check the files and the bundle',
      run: (phase, event) => (event.refusal !== undefined ? step.wait(event.refusal, true, true) : { effect: { kind: 'prepareInstall', action: phase.action, plan: event.plan, skipped: event.skipped } }),
    },
    kept: { to: ['reporting'], why: 'download-only done', run: (phase, event) => step.report(phase.action, { result: 'success', details: event.details }) },
    filesGone: {
      to: ['downloading'],
      why: 'downloaded files gone',
      run: (phase, event) => ({
        next: { kind: 'downloading', action: phase.action },
        log: [['warning', `downloaded files of action ${phase.action.id} are gone; downloading again`]],
        effect: { kind: 'download', action: phase.action, plan: event.plan, skipped: event.skipped },
      }),
    },
    refused: { to: ['reporting'], why: 'refused by the update policy (bundle)', run: (phase, event) => step.report(phase.action, event.outcome) },
    ready: {
      to: ['installing'],
      why: 'update allowed',
      run: (phase, event) => ({
        next: { kind: 'installing', action: phase.action, installed: 0, startedAt: event.startedAt, bootId: event.bootId, handover: NO_HANDOVER },
        ...installing(phase.action, event.details, event.plan),
      }),
    },
    cancel: { to: ['cleanup'], why: 'canceled', run: (phase, event) => step.cancel(phase, event, true) },
    gone: { to: ['cleanup'], why: 'no longer offered', run: (phase) => step.cleanUp(phase.action) },
    failed: { to: ['reporting'], why: 'failure', run: (phase, event, context) => step.failed(phase, event, context, true) },
  },
  installing: {
    confirmation: { to: [], why: 'answered (a wait or denial is refused here)', run: step.confirmation },
    responded: { to: [], why: 'answered', run: step.responded },
    resume: { to: [], why: 'settle from RAUC and the handover record', run: () => ({ effect: { kind: 'settleInstall' } }) },
    settled: {
      to: ['installing'],
      why: 'restart: bundle not started yet (installed again when offered)',
      run: (_, event) => ({
        next: event.phase,
        update: !event.visit,
        ...(event.phase.installed < event.phase.action.bundles.length ? { end: { end: 'done' } } : { effect: { kind: 'finishInstall' } }),
      }),
    },
    offer: { to: [], why: 'read the deployment', run: () => ({ effect: { kind: 'fetch' } }) },
    deployment: { to: ['reporting'], why: 'unusable deployment', run: (phase, event) => step.readDeployment(phase, event, () => installing(phase.action, [], event.plan)) },
    installed: { to: ['rebootPending', 'reporting'], why: 'RAUC completed: verify after the reboot / report', run: step.installed },
    cancel: { to: [], why: 'refused', run: (phase, event) => step.cancel(phase, event, false) },
    failed: { to: ['reporting'], why: 'failure (RAUC, restart during the installation)', run: (phase, event, context) => step.failed(phase, event, context, false) },
  },
  rebootPending: {
    confirmation: { to: [], why: 'answered (a wait or denial is refused here)', run: step.confirmation },
    responded: { to: [], why: 'answered', run: step.responded },
    resume: { to: [], why: 'compare the boot id', run: () => ({ effect: { kind: 'bootId' } }) },
    booted: {
      to: ['verifying', 'rebootPending'],
      why: 'boot id changed / same boot: ask for the reboot again',
      run: (phase, event, context) => {
        if (event.bootId !== phase.bootId) return { next: { ...phase, kind: 'verifying' }, ...step.then({ type: 'resume' }) };
        if (!context.values.postUpdateReboot) return { log: [['message', `action ${phase.action.id} is installed and waits for a reboot to be verified`]], end: { end: 'done' } };
        return { next: phase, log: [['warning', `action ${phase.action.id} was installed but the machine did not reboot yet; asking again`]], effect: { kind: 'reboot', again: true } };
      },
    },
    offer: { to: [], why: 'waits for the reboot', run: () => ({ end: { end: 'awaitingReboot' } }) },
    rebootFailed: { to: ['reporting'], why: 'reboot refused', run: step.rebootFailed },
    cancel: { to: [], why: 'refused', run: (phase, event) => step.cancel(phase, event, false) },
    failed: { to: ['reporting'], why: 'failure', run: (phase, event, context) => step.failed(phase, event, context, false) },
  },
  verifying: {
    confirmation: { to: [], why: 'answered (a wait or denial is refused here)', run: step.confirmation },
    responded: { to: [], why: 'answered', run: step.responded },
    resume: { to: [], why: 'check the booted slot', run: () => ({ effect: { kind: 'verify' } }) },
    verified: {
      to: ['reporting'],
      why: 'booted slot = installed slot → Mark(good) → success; else "rolled back"',
      run: (phase, event) => step.report(phase.action, event.outcome, [['message', `post-reboot verification of action ${phase.action.id}: ${event.outcome.result}`]]),
    },
    offer: { to: [], why: 'waits for the verification', run: () => ({ end: { end: 'awaitingReboot' } }) },
    cancel: { to: [], why: 'refused', run: (phase, event) => step.cancel(phase, event, false) },
    failed: { to: ['reporting'], why: 'failure', run: (phase, event, context) => step.failed(phase, event, context, false) },
  },
  reporting: {
    confirmation: { to: [], why: 'answered (a wait or denial is refused here)', run: step.confirmation },
    responded: { to: [], why: 'answered', run: step.responded },
    resume: { to: [], why: 'sent when offered again', run: () => ({ end: { end: 'done' } }) },
    offer: { to: [], why: 'send the persisted result', run: () => ({ effect: { kind: 'deliver' } }) },
    delivered: { to: ['cleanup'], why: 'final feedback delivered (or the action is over on the server)', run: (phase, event) => step.cleanUp(phase.action, { outcome: event.outcome }) },
    cancel: { to: [], why: 'refused', run: (phase, event) => step.cancel(phase, event, false) },
    gone: { to: ['cleanup'], why: 'no longer offered', run: (phase) => step.cleanUp(phase.action) },
  },
  cleanup: {
    cancel: { to: [], why: 'refused', run: (phase, event) => step.cancel(phase, event, false) },
    confirmation: { to: [], why: 'answered (a wait or denial is refused here)', run: step.confirmation },
    responded: { to: [], why: 'answered', run: step.responded },
    resume: { to: [], why: 'finish the cleanup', run: (phase) => ({ effect: { kind: 'cleanup' }, status: { actionId: phase.action.id } }) },
    cleaned: {
      to: ['idle'],
      why: 'files deleted',
      run: (_, event) => ({
        next: { kind: 'idle' },
        status: { actionId: undefined, activity: 'idle', progress: undefined, waitingFor: undefined },
        ...(event.after ? { feedback: { note: event.after, mode: 'ack' } } : {}),
        end: event.outcome ? { end: 'finished', outcome: event.outcome } : { end: 'done' },
      }),
    },
  },
};

/** The gate before the download answered: refused → wait (said once); go → persist `downloading` and download. */
function downloadGate(phase: Parameters<typeof step.actionFor>[0], event: Parameters<NonNullable<Table['idle']['gate']>['run']>[1]) {
  if (event.refusal !== undefined) return step.wait(event.refusal, true, true);
  const action = step.actionFor(phase, event.plan);
  return { next: { kind: 'downloading' as const, action }, effect: { kind: 'download' as const, action, plan: event.plan, skipped: event.skipped } };
}

function installing(action: Parameters<typeof step.report>[0], details: readonly string[], plan: Parameters<typeof step.actionFor>[1]) {
  const bundles = action.bundles.map((bundle) => `${bundle.chunk} ${bundle.version}`).join(', ');
  return {
    status: { activity: `installing ${bundles}` },
    feedback: { note: { kind: 'installing' as const, details: [`Installing ${bundles} with RAUC`, ...details] }, mode: 'progress' as const },
    effect: { kind: 'install' as const, plan },
  };
}

/** Every move of the table: from → to, and the events that make it. */
export function moves(): { from: PhaseKind; to: PhaseKind; event: EventType; why: string }[] {
  return Object.entries(LIFECYCLE).flatMap(([from, entries]) =>
    Object.entries(entries as Record<string, Entry<PhaseKind, EventType>>).flatMap(([event, entry]) =>
      entry.to.map((to) => ({ from: from as PhaseKind, to, event: event as EventType, why: entry.why })),
    ),
  );
}

/** The allowed moves (StateStore refuses any other). */
export const TRANSITIONS: Readonly<Record<PhaseKind, readonly PhaseKind[]>> = Object.freeze(
  Object.fromEntries(Object.keys(LIFECYCLE).map((from) => [from, [...new Set(moves().filter((move) => move.from === from).map((move) => move.to))]])) as Record<PhaseKind, PhaseKind[]>,
);

/** Phases whose action a cancel stops (nothing written to a slot yet): the cancel handler cleans up. */
export function isCancelable(kind: PhaseKind): boolean {
  return kind === 'idle' || (LIFECYCLE[kind].cancel?.to.includes('cleanup') ?? false);
}

/** Phases whose action is dropped when the server no longer offers it. */
export function isDroppable(kind: PhaseKind): boolean {
  return LIFECYCLE[kind].gone?.to.includes('cleanup') ?? false;
}

export function assertTransition(from: PhaseKind, to: PhaseKind): void {
  if (!TRANSITIONS[from].includes(to)) throw new IllegalTransitionError(`illegal lifecycle transition ${from} → ${to}`);
}
