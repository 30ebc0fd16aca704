import { artifactJson, storeArtifact, type ArtifactSpec, type StoredArtifact } from './artifacts.js';

export type ActionType = 'forced' | 'soft' | 'downloadonly';
/** Like the management API: `active` until the action is closed one way or the other. */
export type ActionStatus = 'active' | 'finished' | 'canceled' | 'error';

export interface ChunkSpec {
  readonly part?: string;
  readonly name: string;
  readonly version: string;
  readonly metadata?: readonly { readonly key: string; readonly value: string }[];
  readonly artifacts: readonly ArtifactSpec[];
}

export interface DeploymentSpec {
  readonly type?: ActionType;
  readonly maintenanceWindow?: 'available' | 'unavailable';
  readonly confirmationRequired?: boolean;
  readonly chunks: readonly ChunkSpec[];
}

export interface FakeModule {
  readonly id: number;
  readonly part: string;
  readonly name: string;
  readonly version: string;
  readonly metadata: readonly { readonly key: string; readonly value: string }[] | undefined;
  readonly artifacts: readonly StoredArtifact[];
}

/** One action of a target, as the fake server keeps it. Tests read it; the server changes it. */
export class FakeAction {
  status: ActionStatus = 'active';
  type: ActionType;
  maintenanceWindow: 'available' | 'unavailable' | undefined;
  awaitingConfirmation: boolean;
  /** Canceled by the operator; the device has not yet acknowledged. */
  canceling = false;
  /** Every feedback body received for this action (deployment, cancel and confirmation), in order. */
  readonly feedback: unknown[] = [];
  /** Device messages (feedback details), for `actionHistory`. */
  readonly messages: string[] = [];
  /** Intermediate status entries counted against the quota. */
  statusEntries = 0;
  readonly modules: readonly FakeModule[];

  constructor(readonly id: string, spec: DeploymentSpec, nextId: () => number) {
    this.type = spec.type ?? 'forced';
    this.maintenanceWindow = spec.maintenanceWindow;
    this.awaitingConfirmation = spec.confirmationRequired ?? false;
    this.modules = spec.chunks.map((chunk) => ({
      id: nextId(),
      part: chunk.part ?? 'os',
      name: chunk.name,
      version: chunk.version,
      metadata: chunk.metadata,
      artifacts: chunk.artifacts.map(storeArtifact),
    }));
  }

  get active(): boolean {
    return this.status === 'active';
  }

  /** The opaque `c` parameter: changes when the type or the maintenance window changes (like hawkBit's). */
  get etagParameter(): number {
    let hash = 0;
    for (const char of `${this.id}|${this.type}|${this.maintenanceWindow ?? ''}`) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
    return hash;
  }

  /** hawkBit's server logic for the handling types. */
  deploymentJson(baseUrl: string): Record<string, unknown> {
    const download = this.type === 'soft' ? 'attempt' : 'forced';
    const update = this.type === 'downloadonly' || this.maintenanceWindow === 'unavailable' ? 'skip' : download;
    return {
      download,
      update,
      ...(this.maintenanceWindow === undefined ? {} : { maintenanceWindow: this.maintenanceWindow }),
      chunks: this.modules.map((module) => ({
        part: module.part,
        version: module.version,
        name: module.name,
        artifacts: module.artifacts.map((a) => artifactJson(a, `${baseUrl}/softwaremodules/${module.id}`)),
        ...(module.metadata === undefined || module.metadata.length === 0 ? {} : { metadata: module.metadata }),
      })),
    };
  }

  /** DdiActionHistory for `?actionHistory=N`. */
  historyJson(count: number): Record<string, unknown> {
    const status = this.awaitingConfirmation ? 'WAIT_FOR_CONFIRMATION' : this.canceling ? 'CANCELING' : { active: 'RUNNING', finished: 'FINISHED', canceled: 'CANCELED', error: 'ERROR' }[this.status];
    return { status, messages: this.messages.slice(-count) };
  }

  findArtifact(moduleId: number, filename: string): StoredArtifact | undefined {
    return this.modules.find((m) => m.id === moduleId)?.artifacts.find((a) => a.filename === filename);
  }
}
