import { isInsufficientSpaceError } from '../../download/index.js';
import { errorMessage } from '../../lib/errors.js';
import type { AgentDependencies } from '../context.js';
import { artifactsToFetch, type DeploymentPlan, type PlannedArtifact } from '../deployment-plan.js';
import type { SlotStatus } from '../../rauc/index.js';
import { slotMarks } from '../install-evidence.js';
import type { ActionRecord, Outcome } from '../state.js';
import {
  decideBeforeDownload,
  decideBeforeInstall,
  decideSpace,
  type BundleInspection,
  type DeviceCompatible,
  type DownloadDecision,
  type InspectedBundle,
  type OfferedBundle,
  type PendingReboot,
  type PolicyDecision,
  type RunningSystem,
  type SpaceCheck,
} from './decide.js';
import { checkLargePlainBundles } from './large-plain.js';
import { checkMetadataCompatible } from './metadata-compatible.js';

/**
 * The update policy's side of the world: asks RAUC what runs and what a bundle is, lets decide.ts
 * decide, and logs the decision record once. The action runner sends the record as feedback details.
 * Checks only read (RAUC, the file system's free space); the steps act.
 */

/** Where the bundles go and the bytes they need there, once the download step made room. */
export interface SpaceNeed {
  readonly directory: string;
  readonly total: number;
}

/** The offered versions' decision, before the space is measured. */
export interface VersionCheck {
  readonly decision: DownloadDecision;
  /** The plan without the bundles the policy left out (same version with same_version = skip). */
  readonly plan: DeploymentPlan;
  /** The artifacts still wanted: the ones the download step makes room for. */
  readonly kept: readonly PlannedArtifact[];
}

export interface DownloadCheck {
  readonly decision: PolicyDecision;
  /** The plan without the bundles the policy left out (same version with same_version = skip). */
  readonly plan: DeploymentPlan;
}

/**
 * Before the download of an installing action: the offered versions against an installation that
 * waits for the reboot (the slot RAUC marked for the next boot, as this agent recorded writing it) and
 * against the booted slot's, then the compatible the chunk metadata names (compatible_metadata_key)
 * against RAUC's.
 */
export async function checkVersions(deps: AgentDependencies, plan: DeploymentPlan, signal: AbortSignal): Promise<VersionCheck> {
  const planned = artifactsToFetch(plan);
  const offered: OfferedBundle[] = planned.map((item) => ({
    chunk: item.chunk,
    part: item.part,
    version: item.version,
    filename: item.artifact.filename,
    sha256: item.artifact.hashes.sha256,
  }));
  const { running, pending } = await readSystem(deps, signal);
  const versions = decideBeforeDownload(offered, running, deps.config, pending);
  const kept = planned.filter((_, index) => versions.install.includes(offered[index]!));
  const left = new Set(planned.filter((item) => !kept.includes(item)).map((item) => item.artifact));
  const decision = versions.verdict === 'proceed' ? await checkMetadataCompatible(deps, versions, kept, () => readDeviceCompatible(deps, signal)) : versions;
  return { decision, kept, plan: { ...plan, artifacts: plan.artifacts.filter((item) => !left.has(item.artifact)) } };
}

/**
 * Then, before the first byte: the sizes of the bundles still wanted against the free space where they
 * go (`room`, once the download step cleared it; none when streaming), and the decision record logged.
 */
export async function checkBeforeDownload(deps: AgentDependencies, versions: VersionCheck, room: SpaceNeed | undefined, signal: AbortSignal): Promise<DownloadCheck> {
  const space = versions.decision.verdict !== 'proceed' ? undefined : await checkSpace(deps, room, signal);
  const decision = space ? decideSpace(versions.decision, space) : versions.decision;
  logDecision(deps, versions.plan.actionId, 'before the download', decision);
  return { decision, plan: versions.plan };
}

/**
 * After the download, before InstallBundle: RAUC's InspectBundle (or Info on RAUC 1.8) for each
 * downloaded bundle against RAUC's Compatible. Streamed bundles are not local, so they are not
 * inspected (RAUC checks them itself).
 */
export async function checkBeforeInstall(deps: AgentDependencies, action: ActionRecord, signal: AbortSignal): Promise<PolicyDecision> {
  const local = action.bundles.filter((bundle) => bundle.path !== undefined);
  const streamed = action.bundles.filter((bundle) => bundle.path === undefined);
  if (streamed.length > 0) {
    deps.log.debug(`RAUC Info not asked for ${streamed.map((bundle) => bundle.filename).join(', ')}: streamed, not local; RAUC checks the compatible when it installs`);
  }
  if (local.length === 0) return { verdict: 'proceed', record: [] };
  deps.status.set({ activity: `checking ${local.map((bundle) => bundle.filename).join(', ')} with RAUC` });
  const device = await readDeviceCompatible(deps, signal);
  const inspected: InspectedBundle[] = [];
  if (device.kind === 'known') {
    for (const bundle of local) inspected.push({ ...bundle, inspection: await inspect(deps, bundle.path!, signal) });
  }
  const compatible = decideBeforeInstall(inspected, device);
  const decision = compatible.verdict === 'proceed' ? await checkLargePlainBundles(deps, local, inspected, compatible, signal) : compatible;
  logDecision(deps, action.id, 'before the install', decision);
  return decision;
}

/** The feedback details of a decision: its summary (skip, refusal), then every recorded decision. */
export function decisionDetails(decision: PolicyDecision): string[] {
  const lines = decision.record.map((line) => `${line.warning ? 'Policy warning' : 'Policy'}: ${line.text}`);
  return decision.verdict === 'proceed' ? lines : [decision.summary, ...lines];
}

/** The final result of a skipped (success) or refused (failure) action. */
export function decisionOutcome(decision: Exclude<PolicyDecision, { verdict: 'proceed' }>): Outcome {
  const details = decisionDetails(decision);
  return decision.verdict === 'skip' ? { result: 'success', details } : { result: 'failure', code: decision.code, details };
}

async function checkSpace(deps: AgentDependencies, room: SpaceNeed | undefined, signal: AbortSignal): Promise<SpaceCheck> {
  if (deps.config.streamBundle || room === undefined) return { kind: 'streamed' };
  try {
    const { directory, total } = room;
    await deps.storage.checkFreeSpace(directory, total, { signal });
    return { kind: 'enough', required: total, directory };
  } catch (error) {
    if (!isInsufficientSpaceError(error)) throw error;
    return { kind: 'short', required: error.required, available: error.available, directory: error.directory };
  }
}

export async function readSystem(deps: AgentDependencies, signal: AbortSignal): Promise<{ running: RunningSystem; pending: PendingReboot | undefined }> {
  let slots: readonly SlotStatus[];
  try {
    slots = await deps.installer.slotStatus({ signal });
  } catch (error) {
    if (signal.aborted) throw error;
    return { running: { kind: 'unreadable', reason: `RAUC's slot status could not be read (${errorMessage(error)})` }, pending: undefined };
  }
  // The booted bootable slot (child slots, e.g. an appfs, may be `booted` too but carry no bootname).
  const booted = slots.find((slot) => slot.state === 'booted' && slot.bootname !== undefined) ?? slots.find((slot) => slot.state === 'booted');
  const pending = await readPendingReboot(deps, slots, booted?.name, signal);
  if (!booted) return { running: { kind: 'unreadable', reason: 'RAUC reports no booted slot' }, pending };
  if (!booted.bundleVersion) return { running: { kind: 'unversioned', slot: booted.name }, pending };
  return { running: { kind: 'known', slot: booted.name, version: booted.bundleVersion }, pending };
}

/**
 * The installation waiting for the reboot: RAUC's primary slot is not the booted one, this agent's
 * record of its last completed installation names that slot, and RAUC's slot status still shows what
 * the record says (same installed.count, timestamp and version: nothing wrote the slot since) and
 * does not call it bad (a boot of it failed).
 */
async function readPendingReboot(deps: AgentDependencies, slots: readonly SlotStatus[], booted: string | undefined, signal: AbortSignal): Promise<PendingReboot | undefined> {
  const last = deps.store.state.lastInstall;
  if (!last) return undefined;
  let primary: string;
  try {
    primary = await deps.installer.primary({ signal });
  } catch (error) {
    if (signal.aborted) throw error;
    deps.log.debug(`RAUC did not name the primary slot (${errorMessage(error)}); no pending reboot assumed`);
    return undefined;
  }
  if (primary === booted) return undefined;
  const now = slotMarks(slots).find((slot) => slot.name === primary);
  const entry = last.bundles.find((bundle) => bundle.slot.name === primary);
  if (!now || !entry) return undefined;
  if (now.installedCount !== entry.slot.installedCount || now.installedTimestamp !== entry.slot.installedTimestamp || now.bundleVersion !== entry.version) {
    deps.log.debug(`${primary} was written again since action ${last.actionId} installed ${entry.version} there; no pending reboot assumed`);
    return undefined;
  }
  if (now.bootStatus === 'bad') {
    deps.log.debug(`${primary} holds ${entry.version} from action ${last.actionId} but is marked bad (a failed boot); no pending reboot assumed`);
    return undefined;
  }
  return { slot: primary, version: entry.version, sha256: entry.sha256, actionId: last.actionId };
}

async function readDeviceCompatible(deps: AgentDependencies, signal: AbortSignal): Promise<DeviceCompatible> {
  try {
    return { kind: 'known', compatible: (await deps.installer.properties({ signal })).compatible };
  } catch (error) {
    if (signal.aborted) throw error;
    return { kind: 'unreadable', reason: errorMessage(error) };
  }
}

/** InspectBundle where RAUC has it (1.9+: also the manifest hash), else Info (RAUC 1.8). */
async function inspect(deps: AgentDependencies, path: string, signal: AbortSignal): Promise<BundleInspection> {
  try {
    if ((await deps.installer.features({ signal })).inspectBundle) {
      const inspection = await deps.installer.inspect(path, { signal });
      return { kind: 'info', compatible: inspection.compatible, version: inspection.version, manifestHash: inspection.manifestHash, format: inspection.format };
    }
    const info = await deps.installer.info(path, { signal });
    return { kind: 'info', compatible: info.compatible, version: info.version };
  } catch (error) {
    if (signal.aborted) throw error;
    return { kind: 'unreadable', reason: errorMessage(error) };
  }
}

function logDecision(deps: AgentDependencies, actionId: string, stage: string, decision: PolicyDecision): void {
  const meta = { actionId, stage };
  for (const line of decision.record) {
    if (line.warning) deps.log.warning(`update policy: ${line.text}`, meta);
    else deps.log.message(`update policy: ${line.text}`, meta);
  }
  if (decision.verdict === 'refuse') deps.log.warning(`update policy: ${decision.summary}`, meta);
  if (decision.verdict === 'skip') deps.log.message(`update policy: ${decision.summary}`, meta);
}
