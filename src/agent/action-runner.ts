import { access } from 'node:fs/promises';
import { buildFeedback, type CancelHandle, type DeploymentHandle, type Feedback } from '../ddi/index.js';
import { errorMessage } from '../lib/errors.js';
import type { AgentDependencies } from './context.js';
import { planDeployment, artifactsToFetch, artifactUrls, skippedDetails, type DeploymentPlan } from './deployment-plan.js';
import { handleCancel, isCancelable } from './cancel.js';
import { clearDownloadDirectory, downloadArtifacts } from './download-step.js';
import { failureFromError } from './failures.js';
import { FeedbackSender } from './feedback-sender.js';
import { askGate } from './gate.js';
import { describeBundles, installBundles } from './install-step.js';
import { finishInstall, reportOutcome, type RunEnd } from './finish.js';
import { checkBeforeDownload, checkBeforeInstall, checkVersions, decisionDetails, decisionOutcome } from './policy/checks.js';
import { NO_HANDOVER, type ActionRecord, type Phase } from './state.js';
import { STATUS_CODES } from '../ddi/index.js';

// RunEnd lives in finish.ts (which returns it too), so that finish.ts does not import this file back.
export type { RunEnd } from './finish.js';

/**
 * Carries one action from its persisted phase as far as it can go now: download, wait (maintenance
 * window, local gate), install, reboot or report. The update policy (policy/) decides before the
 * download (version, free space) and before the install (RAUC's Info) whether to go on. Every phase
 * is persisted before its side effects.
 * An abort (SIGTERM, or a cancel from the server) stops it with the state kept; any other error is
 * reported as the action's failure — unless it came before the installation and the server has
 * canceled the action meanwhile (a server may refuse the artifact right after a cancel): a cancel wins.
 */
export class ActionRunner {
  /** Waiting reasons already reported per action, so `scheduled` feedback is sent once, not per poll. */
  readonly #announced = new Map<string, string>();

  constructor(private readonly deps: AgentDependencies) {}

  async run(handle: DeploymentHandle, signal: AbortSignal, resumedFrom?: Phase['kind']): Promise<RunEnd> {
    const sender = new FeedbackSender(handle, this.deps.log.child({ actionId: handle.actionId }), resumedFrom);
    const phase = this.deps.store.phase;
    if (phase.kind === 'reporting') return reportOutcome(this.deps, phase.action, phase.outcome, sender, signal);
    if (phase.kind === 'rebootPending' || phase.kind === 'verifying') return { end: 'awaitingReboot' };
    try {
      return await this.#advance(handle, sender, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      const current = this.deps.store.phase;
      const cancel = isCancelable(current.kind) ? await this.#pendingCancel(handle.actionId, error, signal) : undefined;
      if (cancel) {
        await handleCancel(this.deps, cancel, () => Promise.resolve(false), signal);
        return { end: 'canceled' };
      }
      const action = current.kind === 'idle' ? emptyAction(handle.actionId) : current.action;
      this.deps.log.error(`action ${handle.actionId} failed: ${errorMessage(error)}`);
      return reportOutcome(this.deps, action, failureFromError(error), sender, signal);
    }
  }

  async #advance(handle: DeploymentHandle, sender: FeedbackSender, signal: AbortSignal): Promise<RunEnd> {
    const deployment = await handle.fetch({ signal });
    const plan = planDeployment(deployment, this.deps.config.nonBundleArtifacts);
    const skipped = skippedDetails(plan);
    if (skipped.length > 0) this.deps.log.message(`action ${plan.actionId}: ${skipped.join('; ')}`);
    let phase = this.deps.store.phase;
    const own = phase.kind !== 'idle' && phase.action.id === plan.actionId ? phase.action : undefined;
    let action: ActionRecord = own ?? { ...emptyAction(plan.actionId), type: plan.type };
    this.deps.status.set({ actionId: action.id, activity: `action ${action.id} (${plan.type})`, waitingFor: undefined });

    if (plan.problem) {
      this.deps.log.error(`action ${action.id} cannot be carried out: ${plan.problem}`);
      return reportOutcome(this.deps, action, { result: 'failure', code: STATUS_CODES.UNSUPPORTED_ARTIFACT, details: [plan.problem] }, sender, signal);
    }

    if (!own || phase.kind === 'confirming') {
      if (!plan.download) return this.#wait(action, 'the server has not asked for the download yet', sender, signal, false);
      const gate = await askGate(this.deps, plan, 'download', signal);
      if (gate !== undefined) return this.#wait(action, gate, sender, signal, true, STATUS_CODES.GATE_REFUSED);
      phase = (await this.deps.store.transition({ kind: 'downloading', action })).phase;
    }

    if (phase.kind === 'downloading') {
      const streaming = this.deps.config.streamBundle && plan.type !== 'downloadOnly';
      let wanted = plan;
      let policy: string[] = [];
      if (plan.type !== 'downloadOnly') {
        // The policy decides, the download step acts: it makes room (stale parts of other actions go) before the space is measured.
        const versions = await checkVersions(this.deps, plan, signal);
        const clear = versions.decision.verdict === 'proceed' && !this.deps.config.streamBundle;
        const room = clear ? await clearDownloadDirectory(this.deps, versions.kept, signal) : undefined;
        const { decision, plan: kept } = await checkBeforeDownload(this.deps, versions, room, signal);
        if (decision.verdict !== 'proceed') {
          const outcome = decisionOutcome(decision);
          return reportOutcome(this.deps, action, { ...outcome, details: [...outcome.details, ...skipped] }, sender, signal);
        }
        wanted = kept;
        policy = [...skipped, ...decisionDetails(decision)];
      }
      action = streaming ? streamedAction(action, wanted) : await downloadArtifacts(this.deps, wanted, action, sender, signal, policy);
      phase = (await this.deps.store.transition({ kind: 'downloaded', action })).phase;
      const names = action.bundles.map((bundle) => bundle.filename).join(', ');
      const verified: Feedback = buildFeedback('downloaded', 'success', {
        details: streaming ? [`Streaming ${names}: nothing downloaded`, ...policy] : [`Downloaded and verified ${names}`],
      });
      if (plan.type === 'downloadOnly') return reportOutcome(this.deps, action, { result: 'success', details: verified.details }, sender, signal);
      await sender.progress(verified, signal);
    }

    let checked: string[] = [];
    if (phase.kind === 'downloaded') {
      if (!plan.install) {
        const reason = plan.waitingForWindow ? 'waiting for the maintenance window' : 'the server has not asked for the installation yet';
        return this.#wait(action, reason, sender, signal);
      }
      const gate = await askGate(this.deps, plan, 'install', signal);
      if (gate !== undefined) return this.#wait(action, gate, sender, signal, true, STATUS_CODES.GATE_REFUSED);
      if (!(await filesPresent(action))) {
        this.deps.log.warning(`downloaded files of action ${action.id} are gone; downloading again`);
        await this.deps.store.transition({ kind: 'downloading', action });
        return this.#advance(handle, sender, signal);
      }
      const decision = await checkBeforeInstall(this.deps, action, signal);
      if (decision.verdict !== 'proceed') return reportOutcome(this.deps, action, decisionOutcome(decision), sender, signal);
      checked = [...skipped, ...decisionDetails(decision)];
      phase = (await this.deps.store.transition({ kind: 'installing', action, installed: 0, startedAt: Date.now(), bootId: await this.deps.system.bootId(), handover: NO_HANDOVER })).phase;
    }

    if (phase.kind !== 'installing') throw new Error(`internal: unexpected phase ${phase.kind} for action ${action.id}`);
    this.deps.status.set({ activity: `installing ${describeBundles(action)}` });
    const installing = [`Installing ${describeBundles(action)} with RAUC`, ...checked];
    await sender.progress(buildFeedback('proceeding', 'none', { progress: { cnt: 0, of: 100 }, details: installing }), signal);
    const urls = new Map(artifactsToFetch(plan).map((item) => [item.artifact.filename, artifactUrls(item.artifact)[0]]));
    await installBundles(this.deps, phase, sender, (bundle) => bundle.path ?? urls.get(bundle.filename) ?? '', signal);
    return finishInstall(this.deps, action, sender, signal);
  }

  /** After a failure before the installation: the controller base's cancelAction for this action, if it offers one. */
  async #pendingCancel(actionId: string, error: unknown, signal: AbortSignal): Promise<CancelHandle | undefined> {
    try {
      const { cancel } = await this.deps.ddi.poll({ signal });
      if (cancel?.actionId !== actionId) return undefined;
      this.deps.log.message(`action ${actionId}: ${errorMessage(error)}, but the server has canceled the action meanwhile; the cancel wins`);
      return cancel;
    } catch (pollError) {
      if (signal.aborted) throw pollError;
      this.deps.log.warning(`action ${actionId}: could not check the server for a cancel (${errorMessage(pollError)})`);
      return undefined;
    }
  }

  /** Sends `scheduled` with the reason (and `code`, if any) once per action and reason; the poll loop asks again later. */
  async #wait(action: ActionRecord, reason: string, sender: FeedbackSender, signal: AbortSignal, report = true, code?: number): Promise<RunEnd> {
    this.deps.status.set({ waitingFor: reason });
    if (this.#announced.get(action.id) !== reason) {
      this.#announced.set(action.id, reason);
      this.deps.log.message(`action ${action.id}: ${reason}`);
      if (report) await sender.progress(buildFeedback('scheduled', 'none', { ...(code === undefined ? {} : { code }), details: [reason] }), signal);
    }
    return { end: 'waiting', reason };
  }
}

function emptyAction(id: string): ActionRecord {
  return { id, type: 'forced', bundles: [], files: [] };
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
