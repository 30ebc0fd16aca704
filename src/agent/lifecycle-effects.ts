import { access, rm } from 'node:fs/promises';
import type { ConfirmationHandle, DeploymentHandle } from '../ddi/index.js';
import { errorMessage } from '../lib/errors.js';
import type { AgentDependencies } from './context.js';
import { artifactsToFetch, artifactUrls, planDeployment, skippedDetails, type DeploymentPlan } from './deployment-plan.js';
import { clearDownloadDirectory, downloadArtifacts, downloadDirectory } from './download-step.js';
import { confirmationAnswer } from './feedback.js';
import type { FeedbackSender } from './feedback-sender.js';
import { askGate } from './gate.js';
import { handoverBefore, installBundles, settleInterruptedInstall } from './install-step.js';
import type { Effect, End, EventOf, LifecycleEvent, Origin, PhaseOf } from './lifecycle-types.js';
import { checkBeforeDownload, checkBeforeInstall, checkVersions, decisionDetails, decisionOutcome } from './policy/checks.js';
import { NO_HANDOVER, type ActionRecord, type CompletedInstall, type Phase } from './state.js';
import { LifecycleDefectError } from './transitions.js';
import { verifyBootedSlot } from './verify-step.js';

/** What one dispatch talks to: the action's handles and feedback channel (none when settling at start). */
export interface Channel {
  readonly origin: Origin;
  readonly signal: AbortSignal;
  readonly sender?: FeedbackSender;
  readonly deployment?: DeploymentHandle;
  readonly confirmation?: ConfirmationHandle;
  /** Waiting reasons already said per action (kept by the runner across runs). */
  readonly announced: Map<string, string>;
  /** A cancel the server offers for the failed action (answered by the runner). */
  readonly answerCancel: (actionId: string, error: unknown) => Promise<boolean>;
}

/**
 * Runs one effect of the table with the step modules (download-step, install-step, verify-step, the
 * update policy's checks, …) and returns the event it ends with, or an end. The phase it works on was
 * persisted before.
 */
export async function runEffect(deps: AgentDependencies, effect: Effect, channel: Channel): Promise<LifecycleEvent | End> {
  const { signal } = channel;
  const phase = deps.store.phase;
  switch (effect.kind) {
    case 'fetch': {
      const plan = planDeployment(await required(channel.deployment, 'deployment').fetch({ signal }), deps.config.nonBundleArtifacts);
      return { type: 'deployment', plan, skipped: skippedDetails(plan) };
    }
    case 'gate':
      return { type: 'gate', stage: effect.stage, plan: effect.plan, skipped: effect.skipped, refusal: await askGate(deps, effect.plan, effect.stage, signal) };
    case 'download':
      return download(deps, effect, required(channel.sender, 'feedback'), signal);
    case 'prepareInstall': {
      if (!(await filesPresent(effect.action))) return { type: 'filesGone', plan: effect.plan, skipped: effect.skipped };
      const decision = await checkBeforeInstall(deps, effect.action, signal);
      if (decision.verdict !== 'proceed') return { type: 'refused', outcome: decisionOutcome(decision) };
      const details = [...effect.skipped, ...decisionDetails(decision)];
      const bootId = await deps.system.bootId();
      // Taken before `installing` is persisted, so that the write entering it is the first bundle's handover record.
      const handover = await handoverBefore(deps, 0, signal);
      return { type: 'ready', plan: effect.plan, skipped: effect.skipped, details, startedAt: Date.now(), bootId, handover };
    }
    case 'install': {
      const urls = new Map(artifactsToFetch(effect.plan).map((item) => [item.artifact.filename, artifactUrls(item.artifact)[0]]));
      const lastInstall = await installBundles(deps, as(phase, 'installing'), required(channel.sender, 'feedback'), (bundle) => bundle.path ?? urls.get(bundle.filename) ?? '', signal);
      return finishInstall(deps, as(phase, 'installing'), lastInstall, signal);
    }
    case 'settleInstall':
      return { type: 'settled', ...(await settleInterruptedInstall(deps, as(phase, 'installing'), signal)) };
    case 'finishInstall':
      return finishInstall(deps, as(phase, 'installing'), effect.lastInstall, signal);
    case 'bootId':
      return { type: 'booted', bootId: await deps.system.bootId() };
    case 'reboot':
      try {
        await deps.system.reboot({ signal });
        return { end: channel.origin === 'resume' ? 'done' : 'rebooting' };
      } catch (error) {
        if (signal.aborted) throw error;
        return { type: 'rebootFailed', error, again: effect.again };
      }
    case 'verify':
      return { type: 'verified', outcome: await verifyBootedSlot(deps, as(phase, 'verifying'), signal) };
    case 'deliver':
      return deliver(deps, as(phase, 'reporting'), channel);
    case 'cleanup':
      await removeFiles(deps, as(phase, 'cleanup').action);
      return { type: 'cleaned', after: effect.after, outcome: effect.outcome };
    case 'askCancel':
      return (await channel.answerCancel(effect.actionId, effect.error))
        ? { end: 'canceled' }
        : { type: 'failed', error: effect.error, actionId: effect.actionId, cancelChecked: true };
    case 'respond': {
      const handle = required(channel.confirmation, 'confirmation');
      await handle.respond(effect.decision, confirmationAnswer(effect.decision, effect.details), { signal });
      return { type: 'responded', actionId: handle.actionId, decision: effect.decision, details: effect.details };
    }
    case 'wait':
      return wait(deps, phase, effect, channel);
    case 'emit':
      return effect.event;
  }
}

/** The update policy decides, the download step acts: it makes room (stale parts of other actions go) before the space is measured. */
async function download(deps: AgentDependencies, effect: Extract<Effect, { kind: 'download' }>, sender: FeedbackSender, signal: AbortSignal): Promise<LifecycleEvent> {
  const { plan, skipped } = effect;
  const streaming = deps.config.streamBundle && plan.type !== 'downloadOnly';
  let wanted = plan;
  let policy: string[] = [];
  if (plan.type !== 'downloadOnly') {
    const versions = await checkVersions(deps, plan, signal);
    const clear = versions.decision.verdict === 'proceed' && !deps.config.streamBundle;
    const room = clear ? await clearDownloadDirectory(deps, versions.kept, signal) : undefined;
    const { decision, plan: kept } = await checkBeforeDownload(deps, versions, room, signal);
    if (decision.verdict !== 'proceed') {
      const outcome = decisionOutcome(decision);
      return { type: 'refused', outcome: { ...outcome, details: [...outcome.details, ...skipped] } };
    }
    wanted = kept;
    policy = [...skipped, ...decisionDetails(decision)];
  }
  const action = streaming ? streamedAction(effect.action, wanted) : await downloadArtifacts(deps, wanted, effect.action, sender, signal, policy);
  const names = action.bundles.map((bundle) => bundle.filename).join(', ');
  const details = streaming ? [`Streaming ${names}: nothing downloaded`, ...policy] : [`Downloaded and verified ${names}`];
  return { type: 'downloaded', plan, skipped, action, details };
}

/**
 * RAUC completed every bundle: the slot it made primary, and the boot id a reboot must change; the
 * record of the last bundle goes with the move out of `installing`. Should that move not come (the
 * boot id unreadable), the record is written with the step past the last bundle before the failure.
 */
async function finishInstall(deps: AgentDependencies, phase: PhaseOf<'installing'>, lastInstall: CompletedInstall | undefined, signal: AbortSignal): Promise<EventOf<'installed'>> {
  const expectedSlot = await deps.installer.primary({ signal }).catch((error: unknown) => {
    deps.log.warning(`RAUC did not name the primary slot (${errorMessage(error)}); the booted slot cannot be compared after the reboot`);
    return undefined;
  });
  try {
    const bootId = deps.config.verifyAfterReboot ? await deps.system.bootId() : '';
    return { type: 'installed', expectedSlot, bootId, ...(lastInstall ? { lastInstall } : {}) };
  } catch (error) {
    if (lastInstall && !signal.aborted) await deps.store.update({ ...phase, installed: phase.action.bundles.length, handover: NO_HANDOVER }, { lastInstall });
    throw error;
  }
}

/** Sends the persisted outcome as the final feedback; when it cannot be delivered it stays persisted and is sent again later. */
async function deliver(deps: AgentDependencies, phase: PhaseOf<'reporting'>, channel: Channel): Promise<LifecycleEvent | End> {
  const { action, outcome } = phase;
  deps.status.set({ activity: `reporting ${outcome.result} of action ${action.id}`, lastError: outcome.result === 'failure' ? outcome.details.join('; ') : undefined });
  if (!channel.sender) return { end: 'reportPending', outcome };
  try {
    await channel.sender.final({ kind: 'final', type: action.type, outcome }, channel.signal);
  } catch (error) {
    if (channel.signal.aborted) throw error;
    deps.log.warning(`final result of action ${action.id} not delivered yet (${errorMessage(error)}); it is kept and sent again`);
    return { end: 'reportPending', outcome };
  }
  deps.log.message(`action ${action.id} finished: ${outcome.result}`, { details: outcome.details });
  return { type: 'delivered', outcome };
}

/** Sends `scheduled` with the reason once per action and reason; the poll loop asks again later. */
async function wait(deps: AgentDependencies, phase: Phase, effect: Extract<Effect, { kind: 'wait' }>, channel: Channel): Promise<End> {
  const actionId = channel.sender?.actionId ?? (phase.kind === 'idle' ? '' : phase.action.id);
  deps.status.set({ waitingFor: effect.reason });
  if (channel.announced.get(actionId) !== effect.reason) {
    channel.announced.set(actionId, effect.reason);
    deps.log.message(`action ${actionId}: ${effect.reason}`);
    if (effect.report) await channel.sender?.progress({ kind: 'waiting', reason: effect.reason, gateRefused: effect.gateRefused }, channel.signal);
  }
  return { end: 'waiting', reason: effect.reason };
}

/** Deletes the action's files (download-only actions keep theirs) and stale partial files. */
async function removeFiles(deps: AgentDependencies, action: ActionRecord): Promise<void> {
  for (const file of action.files) await rm(file, { force: true }).catch(() => undefined);
  if (deps.config.bundleDownloadLocation !== undefined) {
    await deps.storage.removeStaleParts(downloadDirectory(deps), []).catch((error: unknown) => deps.log.debug(`part clean-up: ${errorMessage(error)}`));
  }
}

/** With stream_bundle, RAUC fetches each bundle itself: nothing is stored here. */
function streamedAction(action: ActionRecord, plan: DeploymentPlan): ActionRecord {
  const bundles = artifactsToFetch(plan).map((item) => ({
    chunk: item.chunk,
    version: item.version,
    filename: item.artifact.filename,
    size: item.artifact.size,
    path: undefined,
    sha256: item.artifact.hashes.sha256,
  }));
  return { ...action, bundles, files: [] };
}

async function filesPresent(action: ActionRecord): Promise<boolean> {
  for (const bundle of action.bundles) {
    if (bundle.path === undefined) continue;
    try {
      await access(bundle.path);
    } catch {
      return false;
    }
  }
  return true;
}

function as<K extends Phase['kind']>(phase: Phase, kind: K): PhaseOf<K> {
  if (phase.kind !== kind) throw new LifecycleDefectError(`internal: effect for '${kind}' in phase '${phase.kind}'`);
  return phase as PhaseOf<K>;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new LifecycleDefectError(`internal: no ${what} channel for this effect`);
  return value;
}
