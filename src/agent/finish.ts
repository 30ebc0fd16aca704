import { rm } from 'node:fs/promises';
import { buildFeedback, STATUS_CODES } from '../ddi/index.js';
import { errorMessage } from '../lib/errors.js';
import type { AgentDependencies } from './context.js';
import { downloadDirectory } from './download-step.js';
import { failureFromError } from './failures.js';
import type { FeedbackSender } from './feedback-sender.js';
import { describeBundles } from './install-step.js';
import { IDLE, type ActionRecord, type Outcome } from './state.js';
import { actionTransactionId } from './transaction-id.js';

/** How a run of an action ended for now. */
export type RunEnd =
  | { readonly end: 'finished'; readonly outcome: Outcome }
  | { readonly end: 'waiting'; readonly reason: string }
  | { readonly end: 'rebooting' | 'awaitingReboot' }
  /** The server canceled the action while it failed before the installation; the cancel was answered. */
  | { readonly end: 'canceled' }
  | { readonly end: 'reportPending'; readonly outcome: Outcome };

/**
 * After RAUC completed every bundle: with post-reboot verification, persist `rebootPending` (with the
 * boot id and the slot RAUC made primary), say so, and reboot if that is ours to do; without it,
 * report success now, as rauc-hawkbit-updater does.
 */
export async function finishInstall(
  deps: AgentDependencies,
  action: ActionRecord,
  sender: FeedbackSender | undefined,
  signal: AbortSignal,
): Promise<RunEnd> {
  const expectedSlot = await deps.installer.primary({ signal }).catch((error: unknown) => {
    deps.log.warning(`RAUC did not name the primary slot (${errorMessage(error)}); the booted slot cannot be compared after the reboot`);
    return undefined;
  });
  const target = expectedSlot ? ` to ${expectedSlot}` : '';
  if (!deps.config.verifyAfterReboot) {
    return reportOutcome(deps, action, { result: 'success', details: [`Installed ${describeBundles(action)}${target}`] }, sender, signal);
  }
  const transactionId = action.transactionId ?? actionTransactionId(deps.config, action.id);
  await deps.store.transition({ kind: 'rebootPending', action: { ...action, transactionId }, bootId: await deps.system.bootId(), expectedSlot });
  const next = deps.config.postUpdateReboot ? 'rebooting' : 'waiting for a reboot to verify it';
  deps.status.set({ activity: `installed${target}; ${next}`, progress: undefined });
  await sender?.progress(buildFeedback('proceeding', 'none', { details: [`Installed ${describeBundles(action)}${target}; ${next}`] }), signal);
  if (!deps.config.postUpdateReboot) return { end: 'awaitingReboot' };
  try {
    await deps.system.reboot({ signal });
  } catch (error) {
    if (signal.aborted) throw error;
    const outcome: Outcome = { ...failureFromError(error), details: [`Installed${target}, but the reboot failed: ${errorMessage(error)}`] };
    return reportOutcome(deps, action, outcome, sender, signal);
  }
  return { end: 'rebooting' };
}

/**
 * Persists the outcome (`reporting`), sends it as the final feedback (closed, or downloaded for a
 * download-only action), then cleans up. When the server cannot be reached the outcome stays persisted
 * and is sent again later, also after a restart.
 */
export async function reportOutcome(
  deps: AgentDependencies,
  action: ActionRecord,
  outcome: Outcome,
  sender: FeedbackSender | undefined,
  signal: AbortSignal,
): Promise<RunEnd> {
  if (deps.store.phase.kind !== 'reporting') await deps.store.transition({ kind: 'reporting', action, outcome });
  deps.status.set({ activity: `reporting ${outcome.result} of action ${action.id}`, lastError: outcome.result === 'failure' ? outcome.details.join('; ') : undefined });
  if (!sender) return { end: 'reportPending', outcome };
  const feedback =
    outcome.result === 'success'
      ? buildFeedback(action.type === 'downloadOnly' ? 'downloaded' : 'closed', 'success', { code: STATUS_CODES.SUCCESS, details: outcome.details })
      : buildFeedback('closed', 'failure', { code: outcome.code, details: outcome.details });
  try {
    await sender.final(feedback, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    deps.log.warning(`final result of action ${action.id} not delivered yet (${errorMessage(error)}); it is kept and sent again`);
    return { end: 'reportPending', outcome };
  }
  deps.log.message(`action ${action.id} finished: ${outcome.result}`, { details: outcome.details });
  await cleanUp(deps, action);
  return { end: 'finished', outcome };
}

/** Deletes the action's files (download-only actions keep theirs) and stale partial files, then idle. */
export async function cleanUp(deps: AgentDependencies, action: ActionRecord): Promise<void> {
  if (deps.store.phase.kind !== 'cleanup') await deps.store.transition({ kind: 'cleanup', action });
  for (const file of action.files) await rm(file, { force: true }).catch(() => undefined);
  if (deps.config.bundleDownloadLocation !== undefined) {
    await deps.storage.removeStaleParts(downloadDirectory(deps), []).catch((error: unknown) => deps.log.debug(`part clean-up: ${errorMessage(error)}`));
  }
  await deps.store.transition(IDLE);
  deps.status.set({ actionId: undefined, activity: 'idle', progress: undefined, waitingFor: undefined });
}
