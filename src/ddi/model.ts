/**
 * Domain types of the DDI client: what the rest of the program sees of hawkBit. Wire types (the
 * server's JSON) are separate and never leave `ddi/`.
 */

/** `skip`: not now; `attempt`: soft (the device may decide); `forced`: do it now. */
export type HandlingType = 'skip' | 'attempt' | 'forced';
export type MaintenanceWindow = 'available' | 'unavailable';

export interface ArtifactHashes {
  readonly md5?: string;
  readonly sha1?: string;
  readonly sha256?: string;
}

export interface ArtifactLinks {
  /** https download link (`download`), when the server offers one. */
  readonly download?: string;
  /** http download link (`download-http`). */
  readonly downloadHttp?: string;
  readonly md5sum?: string;
  readonly md5sumHttp?: string;
}

export interface Artifact {
  /** As sent by the server: untrusted, never use it as a path without sanitising. */
  readonly filename: string;
  /** Bytes; undefined when the server sent none. */
  readonly size: number | undefined;
  readonly hashes: ArtifactHashes;
  readonly links: ArtifactLinks;
}

export interface Chunk {
  /** Software module type key, e.g. `os` or `bApp`. */
  readonly part: string;
  readonly name: string;
  readonly version: string;
  readonly encrypted: boolean;
  readonly metadata: readonly { readonly key: string; readonly value: string }[];
  readonly artifacts: readonly Artifact[];
}

export interface ActionHistory {
  readonly status: string;
  readonly messages: readonly string[];
}

export interface Deployment {
  /** Action id. */
  readonly id: string;
  readonly download: HandlingType;
  readonly update: HandlingType;
  readonly maintenanceWindow: MaintenanceWindow | undefined;
  readonly chunks: readonly Chunk[];
  readonly actionHistory: ActionHistory | undefined;
}

export interface CancelAction {
  /** Action id of the cancel action itself. */
  readonly id: string;
  /** Id of the action to stop. */
  readonly stopId: string;
}

export interface AutoConfirmState {
  readonly active: boolean;
  readonly initiator: string | undefined;
  readonly remark: string | undefined;
  readonly activatedAt: number | undefined;
}

export type ConfigDataMode = 'merge' | 'replace' | 'remove';

export type ConfirmationDecision = 'confirmed' | 'denied';
