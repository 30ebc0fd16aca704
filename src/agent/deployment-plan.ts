import type { NonBundlePolicy } from '../config/index.js';
import type { Artifact, Deployment } from '../ddi/index.js';
import type { ActionType } from './state.js';

export interface PlannedArtifact {
  readonly chunk: string;
  readonly part: string;
  readonly version: string;
  readonly artifact: Artifact;
  /** The chunk's (software module's) target-visible metadata, e.g. the bundle's compatible. */
  readonly metadata?: readonly { readonly key: string; readonly value: string }[];
  /** A RAUC bundle (`*.raucb`), installed in chunk order. */
  readonly bundle: boolean;
}

export interface DeploymentPlan {
  readonly actionId: string;
  readonly type: ActionType;
  /** The server wants the artifacts downloaded now (download ≠ skip). */
  readonly download: boolean;
  /** The server allows installing now (update ≠ skip, maintenance window not closed). */
  readonly install: boolean;
  /** update = skip because the maintenance window is closed. */
  readonly waitingForWindow: boolean;
  readonly artifacts: readonly PlannedArtifact[];
  /** Files of an installing action that are not bundles, left alone with `non_bundle_artifacts = skip`. */
  readonly skipped: readonly PlannedArtifact[];
  /** Why the action cannot be carried out, if it cannot. */
  readonly problem: string | undefined;
}

const BUNDLE = /\.raucb$/i;

/** The artifacts an action fetches: every bundle, or every file of a download-only action. */
export function artifactsToFetch(plan: DeploymentPlan): PlannedArtifact[] {
  return plan.artifacts.filter((planned) => planned.bundle || plan.type === 'downloadOnly');
}

/**
 * Reads what a deployment asks for. Download-only actions come as update = skip without a maintenance
 * window; update = skip with an unavailable window means "download now, install when the window opens".
 * Every artifact of an installing action must be a RAUC bundle — unless `nonBundle` is `skip`: then
 * the other files are left out (not downloaded, named in `skipped`) and the bundles installed in chunk
 * order; an action with no bundle at all still cannot be carried out.
 */
export function planDeployment(deployment: Deployment, nonBundle: NonBundlePolicy = 'fail'): DeploymentPlan {
  const waitingForWindow = deployment.update === 'skip' && deployment.maintenanceWindow === 'unavailable';
  const downloadOnly = deployment.update === 'skip' && deployment.maintenanceWindow === undefined;
  const type: ActionType = downloadOnly ? 'downloadOnly' : deployment.download === 'attempt' ? 'soft' : 'forced';
  const artifacts = deployment.chunks.flatMap((chunk) =>
    chunk.artifacts.map((artifact) => ({
      chunk: chunk.name,
      part: chunk.part,
      version: chunk.version,
      artifact,
      metadata: chunk.metadata,
      bundle: BUNDLE.test(artifact.filename),
    })),
  );
  const skipped = type !== 'downloadOnly' && nonBundle === 'skip' ? artifacts.filter((planned) => !planned.bundle) : [];
  return {
    actionId: deployment.id,
    type,
    download: deployment.download !== 'skip',
    install: !downloadOnly && deployment.update !== 'skip',
    waitingForWindow,
    artifacts: artifacts.filter((planned) => !skipped.includes(planned)),
    skipped,
    problem: findProblem(type, artifacts, nonBundle),
  };
}

function findProblem(type: ActionType, artifacts: readonly PlannedArtifact[], nonBundle: NonBundlePolicy): string | undefined {
  if (artifacts.length === 0) return 'the action has no artifacts';
  if (type === 'downloadOnly') return undefined;
  const other = artifacts.find((planned) => !planned.bundle);
  if (!other) return undefined;
  if (nonBundle === 'skip') {
    if (artifacts.some((planned) => planned.bundle)) return undefined;
    return `the action has no RAUC bundle (*.raucb) to install, only other files (${artifacts.map(describe).join(', ')}); non_bundle_artifacts = skip leaves those alone`;
  }
  return `artifact ${describe(other)} is not a RAUC bundle (*.raucb); only download-only actions may carry other files (or set non_bundle_artifacts = skip)`;
}

function describe(planned: PlannedArtifact): string {
  return `'${planned.artifact.filename}' of '${planned.chunk}' ${planned.version}`;
}

/** The feedback line naming each file `non_bundle_artifacts = skip` left out; none when nothing was. */
export function skippedDetails(plan: DeploymentPlan): string[] {
  if (plan.skipped.length === 0) return [];
  return [`Not a RAUC bundle, skipped (non_bundle_artifacts = skip): ${plan.skipped.map(describe).join(', ')}`];
}

/** Download URLs of an artifact, https first. */
export function artifactUrls(artifact: Artifact): string[] {
  return [artifact.links.download, artifact.links.downloadHttp].filter((url): url is string => url !== undefined);
}
