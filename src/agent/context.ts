import type { Config } from '../config/index.js';
import type { DdiApi } from '../ddi/index.js';
import type { DownloadOptions, DownloadRequest, DownloadResult } from '../download/index.js';
import type { Logger } from '../log/index.js';
import type { Installer } from '../rauc/index.js';
import type { LoopHeartbeat, System } from '../system/index.js';
import type { CompletedInstall, PersistedState, Phase, StateRecovery } from './state.js';
import type { StatusBoard } from './status-board.js';
import type { Checkpoint, LifecycleMove } from './test-checkpoint.js';

/** The downloader as the agent uses it (Downloader implements it). */
export interface ArtifactDownloader {
  download(request: DownloadRequest, options?: DownloadOptions): Promise<DownloadResult>;
}

/** The download module's free-space and clean-up helpers, passed in so tests can substitute them. */
export interface DownloadStorage {
  checkFreeSpace(directory: string, bytes: number, options?: { signal?: AbortSignal }): Promise<void>;
  removeStaleParts(directory: string, keep: readonly string[], options?: { signal?: AbortSignal }): Promise<string[]>;
  safeFilename(name: string): string;
}

/** The persisted lifecycle state as the agent uses it (StateStore implements it; declared here so the steps do not import the store). */
export interface LifecycleStore {
  readonly phase: Phase;
  readonly state: PersistedState;
  load(options?: { readOnly?: boolean }): Promise<StateRecovery | undefined>;
  transition(next: Phase, options?: { lastInstall?: CompletedInstall }): Promise<PersistedState>;
  update(phase: Phase, options?: { lastInstall?: CompletedInstall }): Promise<PersistedState>;
}

/** Everything the agent is built from; main.ts creates the real ones, tests their own. */
export interface AgentDependencies {
  readonly config: Config;
  readonly ddi: DdiApi;
  readonly downloader: ArtifactDownloader;
  readonly storage: DownloadStorage;
  readonly installer: Installer;
  readonly system: System;
  readonly store: LifecycleStore;
  readonly status: StatusBoard;
  readonly log: Logger;
  readonly now?: () => number;
  /** Tests only (HAWKBIT_RAUC_TEST_PAUSE_AT): pauses at a named point of the installation. */
  readonly checkpoint?: (point: Checkpoint, signal: AbortSignal) => Promise<void>;
  /** Tests only (HAWKBIT_RAUC_TEST_MOVES): told every move of the lifecycle table the runner makes. */
  readonly moves?: (move: LifecycleMove) => void;
  /** Beaten by the loop, downloads and installations; the watchdog stops when it goes quiet. Default: from config and WATCHDOG_USEC. */
  readonly heartbeat?: LoopHeartbeat;
}
