import { dirname } from 'node:path';
import { isChecksumMismatchError, type DownloadProgress } from '../download/index.js';
import type { AgentDependencies } from './context.js';
import { artifactsToFetch, artifactUrls, type DeploymentPlan, type PlannedArtifact } from './deployment-plan.js';
import type { FeedbackSender } from './feedback-sender.js';
import { formatBytes } from './format.js';
import type { ActionRecord, BundleRef } from './state.js';
import { ProgressThrottle } from './throttle.js';

/** Where artifacts land: the directory of bundle_download_location. */
export function downloadDirectory(deps: AgentDependencies): string {
  return dirname(deps.config.bundleDownloadLocation ?? `${deps.config.stateDir}/bundle.raucb`);
}

/** The download directory with room made for an action, and the bytes its artifacts need there. */
export interface DownloadRoom {
  readonly directory: string;
  readonly total: number;
}

/** Removes stale partial files of other actions from the download directory, so their space counts as free. */
export async function clearDownloadDirectory(deps: AgentDependencies, planned: readonly PlannedArtifact[], signal: AbortSignal): Promise<DownloadRoom> {
  const directory = downloadDirectory(deps);
  const names = planned.map((item) => deps.storage.safeFilename(item.artifact.filename));
  const total = planned.reduce((sum, item) => sum + (item.artifact.size ?? 0), 0);
  await deps.storage.removeStaleParts(directory, names, { signal });
  return { directory, total };
}

/**
 * Clears the download directory (above), then checks that the artifacts' sizes fit into its free space
 * (InsufficientSpaceError with both numbers otherwise).
 */
export async function prepareDownloadDirectory(deps: AgentDependencies, planned: readonly PlannedArtifact[], signal: AbortSignal): Promise<DownloadRoom> {
  const room = await clearDownloadDirectory(deps, planned, signal);
  await deps.storage.checkFreeSpace(room.directory, room.total, { signal });
  return room;
}

/**
 * Downloads and verifies every artifact of the action in chunk order, reporting progress as
 * `download` feedback (≥ 10 % and ≥ 30 s apart; the first one also carries the update policy's
 * decisions) and ending with `downloaded`. Checks free space for the whole action before the first
 * byte and removes stale partial files of other actions.
 * A checksum mismatch is downloaded once more from the start before it counts as a failure.
 */
export async function downloadArtifacts(
  deps: AgentDependencies,
  plan: DeploymentPlan,
  action: ActionRecord,
  sender: FeedbackSender,
  signal: AbortSignal,
  policyDetails: readonly string[] = [],
): Promise<ActionRecord> {
  const planned = artifactsToFetch(plan);
  const { directory, total } = await prepareDownloadDirectory(deps, planned, signal);

  const summary = planned.map((item) => `${item.artifact.filename} (${formatBytes(item.artifact.size)})`).join(', ');
  await sender.progress({ kind: 'downloadStarting', details: [`Downloading ${summary}`, ...policyDetails] }, signal);

  const throttle = new ProgressThrottle(10, 30_000, deps.now);
  const bundles: BundleRef[] = [];
  let doneBefore = 0;
  for (const item of planned) {
    const onProgress = (progress: DownloadProgress) => {
      deps.heartbeat?.beat();
      const done = doneBefore + progress.bytesDone;
      const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
      deps.status.set({ progress: { percent, message: `downloading ${item.artifact.filename}` } }, { throttle: true });
      if (!throttle.shouldSend(percent) || percent >= 100) return;
      const line = `Downloading ${item.artifact.filename}: ${formatBytes(done)} of ${formatBytes(total)} at ${formatBytes(progress.rate)}/s`;
      void sender.progress({ kind: 'downloadProgress', percent, details: [line] }, signal).catch(() => undefined);
    };
    const result = await downloadWithOneRetry(deps, item, directory, signal, onProgress);
    doneBefore += result.size;
    bundles.push({ chunk: item.chunk, version: item.version, filename: item.artifact.filename, size: result.size, path: result.path, sha256: item.artifact.hashes.sha256 });
    // A cancel or failure before the last file is done must find the complete ones too (cleanUp deletes `files`).
    if (action.type !== 'downloadOnly' && bundles.length < planned.length) {
      await deps.store.update({ kind: 'downloading', action: { ...action, files: bundles.map((bundle) => bundle.path!).filter(Boolean) } });
    }
    deps.log.message(`downloaded ${item.artifact.filename}${result.reused ? ' (already complete)' : ''}`, {
      actionId: action.id,
      bytes: result.size,
      verified: Object.keys(result.verified).join('+'),
    });
  }
  const keep = action.type === 'downloadOnly';
  return { ...action, bundles, files: keep ? [] : bundles.map((bundle) => bundle.path!).filter(Boolean) };
}

async function downloadWithOneRetry(
  deps: AgentDependencies,
  item: PlannedArtifact,
  directory: string,
  signal: AbortSignal,
  onProgress: (progress: DownloadProgress) => void,
) {
  const request = {
    urls: artifactUrls(item.artifact),
    filename: item.artifact.filename,
    directory,
    size: item.artifact.size,
    hashes: item.artifact.hashes,
    headers: deps.ddi.downloadHeaders(),
  };
  try {
    return await deps.downloader.download(request, { signal, onProgress });
  } catch (error) {
    if (!isChecksumMismatchError(error)) throw error;
    deps.log.warning(`${error.message}; downloading ${item.artifact.filename} once more from the start`);
    return deps.downloader.download(request, { signal, onProgress });
  }
}
