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
  /** Why the action cannot be carried out, if it cannot. */
  readonly problem: string | undefined;
}

const BUNDLE = /\.raucb$/i;

/**
 * Reads what a deployment asks for. Download-only actions come as update = skip without a maintenance
 * window; update = skip with an unavailable window means "download now, install when the window opens".
 * Every artifact of an installing action must be a RAUC bundle.
 */
export function planDeployment(deployment: Deployment): DeploymentPlan {
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
  return {
    actionId: deployment.id,
    type,
    download: deployment.download !== 'skip',
    install: !downloadOnly && deployment.update !== 'skip',
    waitingForWindow,
    artifacts,
    problem: findProblem(type, artifacts),
  };
}

function findProblem(type: ActionType, artifacts: readonly PlannedArtifact[]): string | undefined {
  if (artifacts.length === 0) return 'the action has no artifacts';
  if (type === 'downloadOnly') return undefined;
  const other = artifacts.find((planned) => !planned.bundle);
  if (other) {
    return (
      `artifact '${other.artifact.filename}' of '${other.chunk}' ${other.version} is not a RAUC bundle (*.raucb); ` +
      'only download-only actions may carry other files'
    );
  }
  return undefined;
}

/** Download URLs of an artifact, https first. */
export function artifactUrls(artifact: Artifact): string[] {
  return [artifact.links.download, artifact.links.downloadHttp].filter((url): url is string => url !== undefined);
}
