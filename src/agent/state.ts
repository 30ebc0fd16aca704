/**
 * The persisted lifecycle state. This is an on-disk format: kinds and field names are never renamed
 * without a schema migration in state-store.ts.
 */

export const PHASE_KINDS = [
  'idle',
  'confirming',
  'downloading',
  'downloaded',
  'installing',
  'rebootPending',
  'verifying',
  'reporting',
  'cleanup',
] as const;
export type PhaseKind = (typeof PHASE_KINDS)[number];

/** One RAUC bundle of an action, in chunk order. */
export interface BundleRef {
  readonly chunk: string;
  readonly version: string;
  readonly filename: string;
  readonly size: number | undefined;
  /** Absolute path once downloaded (undefined when streamed). */
  readonly path: string | undefined;
  /** SHA-256 of the file as the server announced it (absent: none given, or a state file of an older version). */
  readonly sha256?: string | undefined;
}

export type ActionType = 'forced' | 'soft' | 'downloadOnly';

/** What we remember of the action being worked on. */
export interface ActionRecord {
  readonly id: string;
  readonly type: ActionType;
  readonly bundles: readonly BundleRef[];
  /** Files of this action to delete in cleanup (download-only keeps its files). */
  readonly files: readonly string[];
  /**
   * RAUC transaction id of the action (transaction-id.ts), persisted once known; absent in state files of
   * older versions, which then derive it again.
   */
  readonly transactionId?: string;
}

/** What a reboot must show: a boot id other than this one, and RAUC booting the expected slot. */
export interface RebootData {
  readonly action: ActionRecord;
  /** Boot id before the reboot. */
  readonly bootId: string;
  /** The slot RAUC made primary (e.g. `rootfs.1`), which must be booted after the reboot. */
  readonly expectedSlot: string | undefined;
}

/** One slot as RAUC's GetSlotStatus showed it, reduced to what tells whether an installation wrote it. */
export interface SlotMark {
  readonly name: string;
  /** `installed.count` (RAUC counts every completed installation into the slot). */
  readonly installedCount: number | undefined;
  /** `installed.timestamp` (RAUC's text, second resolution). */
  readonly installedTimestamp: string | undefined;
  readonly bundleVersion: string | undefined;
  /** `boot-status`: RAUC marks a target slot `bad` before it writes to it. */
  readonly bootStatus: string | undefined;
  /** `status` (`ok` after a completed installation). */
  readonly status: string | undefined;
}

/**
 * What was persisted about handing the current bundle to RAUC, so that a restart can tell "never
 * started" from "RAUC completed" from "RAUC started and died":
 * - `none`: InstallBundle was not called for `installed` yet (a restart installs it now);
 * - `requested`: persisted right before InstallBundle, with RAUC's state at that moment. Fields are
 *   only ever added (e.g. the `transaction-id` sent to RAUC ≥ 1.10, whose `installed.transaction`
 *   then names the installation that wrote a slot);
 * - `unknown`: read from a state file of an older version, which kept no such record.
 */
export type Handover =
  | { readonly stage: 'none' }
  | {
      readonly stage: 'requested';
      /** Index into action.bundles of the bundle handed over. */
      readonly bundle: number;
      /** RAUC's Operation and LastError just before the call. */
      readonly operation: string;
      readonly lastError: string;
      readonly slots: readonly SlotMark[];
    }
  | { readonly stage: 'unknown' };

export const NO_HANDOVER: Handover = Object.freeze({ stage: 'none' });

/** A bundle RAUC completed, and the slot it wrote as RAUC showed it right after. */
export interface CompletedBundle {
  readonly chunk: string;
  readonly version: string;
  readonly filename: string;
  /** SHA-256 of the bundle file as the server announced it (undefined when it gave none). */
  readonly sha256: string | undefined;
  readonly slot: SlotMark;
}

/** The last installation this agent completed (kept across actions; the update policy reads it). */
export interface CompletedInstall {
  readonly actionId: string;
  readonly bundles: readonly CompletedBundle[];
}

export type Outcome =
  | { readonly result: 'success'; readonly details: readonly string[] }
  | { readonly result: 'failure'; readonly code: number; readonly details: readonly string[] };

export type Phase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'confirming'; readonly action: ActionRecord; readonly denied: boolean }
  | { readonly kind: 'downloading'; readonly action: ActionRecord }
  | { readonly kind: 'downloaded'; readonly action: ActionRecord }
  | {
      readonly kind: 'installing';
      readonly action: ActionRecord;
      /** Bundles already installed (index into action.bundles). */
      readonly installed: number;
      /** When the current bundle was handed to RAUC (ms since epoch). */
      readonly startedAt: number;
      readonly bootId: string;
      /** Whether (and with what RAUC state) the bundle at `installed` was handed to RAUC. */
      readonly handover: Handover;
    }
  | ({ readonly kind: 'rebootPending' } & RebootData)
  | ({ readonly kind: 'verifying' } & RebootData)
  | { readonly kind: 'reporting'; readonly action: ActionRecord; readonly outcome: Outcome }
  | { readonly kind: 'cleanup'; readonly action: ActionRecord };

export interface PersistedState {
  readonly schema: 1;
  readonly phase: Phase;
  /** How often each kind was entered for the current action (the loop guard). */
  readonly visits: Readonly<Partial<Record<PhaseKind, number>>>;
  readonly updatedAt: string;
  /** The last installation RAUC completed for this agent (absent in files of older versions). */
  readonly lastInstall?: CompletedInstall;
}

export const IDLE: Phase = Object.freeze({ kind: 'idle' });

/** What load() found when the state file could not be used. */
export interface StateRecovery {
  readonly reason: string;
  /** Where the damaged file went; undefined when loaded read-only (left in place). */
  readonly movedTo: string | undefined;
  /** The action id, when it could still be read from the damaged file. */
  readonly actionId: string | undefined;
}
