import { lostState } from './feedback.js';
import type { Entry, EventType, Table } from './lifecycle-types.js';
import * as step from './lifecycle-steps.js';
import type { PhaseKind } from './state.js';
import { IllegalTransitionError } from './transitions.js';

/**
 * THE lifecycle of an action, as one table: for each persisted phase, what each event does (read
 * docs/lifecycle.md, "How to read the table"). A handler is pure: from (phase, event, configuration
 * values) it returns the next phase (persisted first), the feedback to send and the effect to run
 * (lifecycle-effects.ts: download, install, reboot, verify, …), whose result is the next event. `to`
 * names every phase the handler may go to, and why: the runner refuses anything else, and the allowed
 * moves, the cancelable and droppable phases and docs/lifecycle.md are derived from it. An event a
 * phase does not list is a defect there (`failed`: the error is rethrown).
 */
export const LIFECYCLE: Table = {
  idle: {
    resume: { to: {}, why: 'nothing to settle: poll', run: () => step.done() },
    offer: { to: {}, why: 'read the deployment', run: () => step.fetch() },
    deployment: { to: { reporting: 'unusable deployment' }, why: 'ask the gate for the download, or wait for the server', run: step.beforeDownload },
    gate: { to: { downloading: 'the gate says go' }, why: 'download, or wait while the gate refuses', run: step.downloadGate },
    cancel: { to: {}, why: 'accepted: the action is not running here', run: (phase, event) => step.cancel(phase, event, true) },
    confirmation: { to: { confirming: 'waits for hawkbit-rauc confirm|deny (policy manual)' }, why: 'answer it, or wait for a local decision', run: step.confirmation },
    responded: { to: { confirming: 'denied (not asked again)' }, why: 'remember a denial', run: step.responded },
    lost: { to: { reporting: 'reported as interrupted' }, why: 'report the failure', run: (_, event) => step.report(step.emptyAction(event.actionId), lostState()) },
    failed: { to: { reporting: 'failure (unless the server canceled meanwhile)' }, why: 'a pending cancel wins, else report', run: (phase, event, context) => step.failed(phase, event, context, true) },
  },
  confirming: {
    resume: { to: {}, why: 'poll: the server asks again; a denial is not repeated', run: () => step.done() },
    offer: { to: {}, why: 'read the deployment', run: () => step.fetch() },
    deployment: { to: { reporting: 'unusable deployment' }, why: 'ask the gate for the download, or wait for the server', run: step.beforeDownload },
    gate: { to: { downloading: 'confirmed and offered; the gate says go' }, why: 'download, or wait while the gate refuses', run: step.downloadGate },
    cancel: { to: { cleanup: 'canceled' }, why: 'stop, delete the files, accept', run: (phase, event) => step.cancel(phase, event, true) },
    confirmation: { to: { confirming: 'another action waits for a local decision' }, why: 'answer it, or wait for a local decision', run: step.confirmation },
    responded: { to: { confirming: 'another action denied', idle: 'confirmed' }, why: 'remember a denial, or end the wait', run: step.responded },
    failed: { to: { reporting: 'failure (unless the server canceled meanwhile)' }, why: 'a pending cancel wins, else report', run: (phase, event, context) => step.failed(phase, event, context, true) },
  },
  downloading: {
    resume: { to: {}, why: 'when the server offers the action again: the download resumes (Range), what is on disk is hashed again', run: () => step.done() },
    offer: { to: {}, why: 'read the deployment', run: () => step.fetch() },
    deployment: { to: { reporting: 'unusable deployment' }, why: 'check the versions and the space, download', run: step.startDownload },
    downloaded: { to: { downloaded: 'every artifact verified' }, why: 'go on to the installation (download-only: done)', run: step.downloaded },
    refused: { to: { reporting: 'skipped or refused by the update policy' }, why: 'report it', run: (phase, event) => step.report(phase.action, event.outcome) },
    cancel: { to: { cleanup: 'canceled' }, why: 'stop, delete the files, accept', run: (phase, event) => step.cancel(phase, event, true) },
    gone: { to: { cleanup: 'no longer offered' }, why: 'drop it', run: (phase) => step.cleanUp(phase.action) },
    confirmation: { to: {}, why: 'answer another action (a wait or a denial is refused here)', run: step.confirmation },
    responded: { to: {}, why: 'answered', run: step.responded },
    failed: { to: { reporting: 'failure (unless the server canceled meanwhile)' }, why: 'a pending cancel wins, else report', run: (phase, event, context) => step.failed(phase, event, context, true) },
  },
  downloaded: {
    resume: { to: {}, why: 'when offered again: the window and the gate are asked, then it is installed (files gone: downloaded again)', run: () => step.done() },
    offer: { to: {}, why: 'read the deployment', run: () => step.fetch() },
    deployment: { to: { reporting: 'unusable deployment' }, why: 'ask the gate for the installation, or wait (maintenance window)', run: step.beforeInstall },
    gate: { to: {}, why: 'check the files and the bundles, or wait while the gate refuses', run: step.installGate },
    kept: { to: { reporting: 'download-only done' }, why: 'report success, keep the files', run: (phase, event) => step.report(phase.action, { result: 'success', details: event.details }) },
    filesGone: { to: { downloading: 'downloaded files gone' }, why: 'download again', run: step.downloadAgain },
    refused: { to: { reporting: 'refused by the update policy (bundle)' }, why: 'report it', run: (phase, event) => step.report(phase.action, event.outcome) },
    ready: { to: { installing: 'the update policy allows it' }, why: 'install with RAUC', run: step.startInstall },
    cancel: { to: { cleanup: 'canceled' }, why: 'delete the files, accept', run: (phase, event) => step.cancel(phase, event, true) },
    gone: { to: { cleanup: 'no longer offered' }, why: 'drop it', run: (phase) => step.cleanUp(phase.action) },
    confirmation: { to: {}, why: 'answer another action (a wait or a denial is refused here)', run: step.confirmation },
    responded: { to: {}, why: 'answered', run: step.responded },
    failed: { to: { reporting: 'failure (unless the server canceled meanwhile)' }, why: 'a pending cancel wins, else report', run: (phase, event, context) => step.failed(phase, event, context, true) },
  },
  installing: {
    resume: { to: {}, why: 'settled from RAUC and the handover record: completed → next bundle or finish; never started → installed when offered again; started, not completed → failure (never installed twice)', run: () => ({ effect: { kind: 'settleInstall' } }) },
    settled: { to: { installing: 'bundle never started by RAUC: installed again' }, why: 'persist where to go on; all done: finish (the move out of installing carries the installation record)', run: step.settled },
    offer: { to: {}, why: 'read the deployment', run: () => step.fetch() },
    deployment: { to: { reporting: 'unusable deployment' }, why: 'install what is left', run: (phase, event) => step.readDeployment(phase, event, () => step.installing(phase.action, [], event.plan)) },
    installed: { to: { rebootPending: 'verify after the reboot', reporting: 'no verification: success' }, why: 'reboot, wait for a reboot, or report', run: step.installed },
    cancel: { to: {}, why: 'refused: the installation has started (RAUC cannot stop it)', run: (phase, event) => step.cancel(phase, event, false) },
    confirmation: { to: {}, why: 'answer another action (a wait or a denial is refused here)', run: step.confirmation },
    responded: { to: {}, why: 'answered', run: step.responded },
    failed: { to: { reporting: 'failure (RAUC, interrupted by a restart)' }, why: 'report it', run: (phase, event, context) => step.failed(phase, event, context, false) },
  },
  rebootPending: {
    resume: { to: {}, why: 'compare the boot id: changed → verify; the same → ask for the reboot again (post_update_reboot) or keep waiting', run: () => ({ effect: { kind: 'bootId' } }) },
    booted: { to: { verifying: 'boot id changed', rebootPending: 'same boot: ask for the reboot again' }, why: 'verify, reboot again, or keep waiting', run: step.booted },
    offer: { to: {}, why: 'waits for the reboot', run: () => ({ end: { end: 'awaitingReboot' } }) },
    rebootFailed: { to: { reporting: 'reboot refused' }, why: 'report the failure', run: step.rebootFailed },
    cancel: { to: {}, why: 'refused: installed (in a slot, before or after the reboot)', run: (phase, event) => step.cancel(phase, event, false) },
    confirmation: { to: {}, why: 'answer another action (a wait or a denial is refused here)', run: step.confirmation },
    responded: { to: {}, why: 'answered', run: step.responded },
    failed: { to: { reporting: 'failure' }, why: 'report it (RAUC not up yet after a restart: try again)', run: (phase, event, context) => step.failed(phase, event, context, false) },
  },
  verifying: {
    resume: { to: {}, why: 'check the booted slot (RAUC not up yet at boot: tried again at the next poll)', run: () => ({ effect: { kind: 'verify' } }) },
    verified: { to: { reporting: 'booted slot = installed slot → Mark(good) → success; else "rolled back"' }, why: 'report it', run: step.verified },
    offer: { to: {}, why: 'waits for the verification', run: () => ({ end: { end: 'awaitingReboot' } }) },
    cancel: { to: {}, why: 'refused: installed (in a slot, before or after the reboot)', run: (phase, event) => step.cancel(phase, event, false) },
    confirmation: { to: {}, why: 'answer another action (a wait or a denial is refused here)', run: step.confirmation },
    responded: { to: {}, why: 'answered', run: step.responded },
    failed: { to: { reporting: 'failure' }, why: 'report it (RAUC not up yet after a restart: try again)', run: (phase, event, context) => step.failed(phase, event, context, false) },
  },
  reporting: {
    resume: { to: {}, why: 'the persisted result is sent when the server offers the action (no longer offered: dropped)', run: () => step.done() },
    offer: { to: {}, why: 'send the persisted result (until it arrives)', run: () => ({ effect: { kind: 'deliver' } }) },
    delivered: { to: { cleanup: 'final feedback delivered (or the action is over on the server)' }, why: 'clean up', run: (phase, event) => step.cleanUp(phase.action, { outcome: event.outcome }) },
    cancel: { to: {}, why: 'refused: the result is on its way', run: (phase, event) => step.cancel(phase, event, false) },
    gone: { to: { cleanup: 'no longer offered' }, why: 'drop it', run: (phase) => step.cleanUp(phase.action) },
    confirmation: { to: {}, why: 'answer another action (a wait or a denial is refused here)', run: step.confirmation },
    responded: { to: {}, why: 'answered', run: step.responded },
  },
  cleanup: {
    resume: { to: {}, why: 'finish the cleanup (delete the files), then idle', run: () => ({ effect: { kind: 'cleanup' } }) },
    cleaned: { to: { idle: 'files deleted' }, why: 'idle (then accept a cancel)', run: step.cleaned },
    cancel: { to: {}, why: 'refused: the action is over, its files are being deleted', run: (phase, event) => step.cancel(phase, event, false) },
    confirmation: { to: {}, why: 'answer another action (a wait or a denial is refused here)', run: step.confirmation },
    responded: { to: {}, why: 'answered', run: step.responded },
  },
};

/** What each event is (docs/lifecycle.md shows it). */
export const EVENTS: Readonly<Record<EventType, string>> = {
  resume: 'the service started with this phase persisted (before the first poll; no feedback channel)',
  offer: 'the server offers the action (deploymentBase link)',
  deployment: 'the deployment was read (download/update handling, maintenance window, artifacts)',
  gate: 'the local update gate (soft actions) answered for the download or the installation',
  downloaded: 'every artifact was downloaded and verified (or, streaming, nothing to download)',
  kept: 'a download-only action has its files',
  refused: 'the update policy skipped or refused the update (versions, space, compatible, unsafe bundle)',
  filesGone: 'the downloaded files are no longer there',
  ready: 'the update policy allows the installation (RAUC inspected each bundle)',
  settled: 'after a restart during the installation: what RAUC did with the bundle handed over',
  installed: 'RAUC completed every bundle',
  booted: 'the boot id read after a restart',
  rebootFailed: 'systemd refused the reboot',
  verified: 'the booted slot was checked after the reboot',
  delivered: 'the final feedback reached the server (or the action is over there)',
  cleaned: "the action's files are deleted",
  cancel: 'the server cancels an action (cancelAction)',
  confirmation: 'the server asks to confirm an action (confirmationBase), decided per confirmation_policy',
  responded: 'the confirmation answer reached the server',
  gone: 'the server no longer offers the action, or offers another',
  lost: 'the state file was damaged at start and the server offers the action it named',
  failed: 'anything failed (download, RAUC, the server, …)',
};

/** Every move of the table: from → to, and the events that make it. */
export function moves(): { from: PhaseKind; to: PhaseKind; event: EventType; why: string }[] {
  return Object.entries(LIFECYCLE).flatMap(([from, entries]) =>
    Object.entries(entries as Record<string, Entry<PhaseKind, EventType>>).flatMap(([event, entry]) =>
      Object.entries(entry.to).map(([to, why]) => ({ from: from as PhaseKind, to: to as PhaseKind, event: event as EventType, why: why! })),
    ),
  );
}

/** The allowed moves (StateStore refuses any other). */
export const TRANSITIONS: Readonly<Record<PhaseKind, readonly PhaseKind[]>> = Object.freeze(
  Object.fromEntries(Object.keys(LIFECYCLE).map((from) => [from, [...new Set(moves().filter((move) => move.from === from).map((move) => move.to))]])) as Record<PhaseKind, PhaseKind[]>,
);

/** Phases whose action a cancel stops (nothing written to a slot yet): the cancel handler cleans up. */
export function isCancelable(kind: PhaseKind): boolean {
  return kind === 'idle' || (LIFECYCLE[kind].cancel?.to.cleanup !== undefined);
}

/** Phases whose action is dropped when the server no longer offers it. */
export function isDroppable(kind: PhaseKind): boolean {
  return LIFECYCLE[kind].gone?.to.cleanup !== undefined;
}

/** Refuses a move the table does not make (StateStore checks every transition with it). */
export function assertTransition(from: PhaseKind, to: PhaseKind): void {
  if (!TRANSITIONS[from].includes(to)) throw new IllegalTransitionError(`illegal lifecycle transition ${from} → ${to}`);
}
