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
}

export const IDLE: Phase = Object.freeze({ kind: 'idle' });
