/**
 * Normalised shapes of hawkBit's management API, the same for every server version we test against,
 * and the functions that turn each version's JSON into them.
 *
 * Version differences handled here:
 * - action state: up to 0.9 `status` is `pending|finished`, which later 0.x releases complete with
 *   `detailStatus`; from 0.10 `active: boolean` plus `status` = the detail. 0.3.0M7 and older send no
 *   detail at all, so the caller takes it from the newest status-history entry.
 * - assignment: 0.3.0M1 answers only counts, no `assignedActions` (handled in hawkbit-mgmt.ts).
 * - configs: `PUT system/configs/{key}` answers 200 with the value up to 0.9, 204 from 0.10.
 */

/** `forced`: now; `soft`: the device may decide; `timeforced`: soft until `forceTime`; `downloadonly`. */
export type AssignType = 'forced' | 'soft' | 'timeforced' | 'downloadonly';

export interface MaintenanceWindowSpec {
  /** Quartz cron expression of the window's start, e.g. `0 0 3 ? * *`. */
  readonly schedule: string;
  /** `HH:mm:ss`. */
  readonly duration: string;
  /** Offset such as `+00:00`. */
  readonly timezone: string;
}

export interface AssignOptions {
  readonly type: AssignType;
  /** Epoch ms; required for `timeforced`. */
  readonly forceTime?: number;
  readonly maintenanceWindow?: MaintenanceWindowSpec;
  /** Only servers with the user-confirmation flow (newer than 0.3.0M7) know this; others ignore it. */
  readonly confirmationRequired?: boolean;
}

export interface MgmtAction {
  readonly id: number;
  /** `update` or `cancel`. */
  readonly type: string;
  /** True while the action is open (running, waiting, canceling, …). */
  readonly active: boolean;
  /**
   * Lower-case detail state: `running`, `finished`, `canceled`, `error`, `canceling`, `download`,
   * `downloaded`, `retrieved`, `scheduled`, `warning`, `wait_for_confirmation`, …
   */
  readonly detail: string;
  readonly forceType: string | undefined;
  readonly lastStatusCode: number | undefined;
}

export interface MgmtActionStatus {
  readonly id: number;
  /** Lower-case status type, e.g. `running`, `finished`, `canceled`, `error`, `download`. */
  readonly type: string;
  /** Messages of the entry; the server may store `null` for an entry without any. */
  readonly messages: readonly string[];
  readonly code: number | undefined;
  readonly reportedAt: number | undefined;
}

export interface UploadedArtifact {
  readonly id: number;
  readonly filename: string;
  readonly size: number;
  readonly hashes: { readonly md5: string; readonly sha1: string; readonly sha256: string | undefined };
}

type Json = Record<string, unknown>;

export function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function requireNumber(json: Json, key: string, what: string): number {
  const value = json[key];
  if (typeof value !== 'number') {
    throw new TypeError(`hawkBit sent ${what} without a numeric "${key}": ${JSON.stringify(json)}`);
  }
  return value;
}

/**
 * Normalises `GET targets/{c}/actions/{a}`. `newestStatusType` is the newest status-history entry's
 * type, used when the server states no detail.
 */
export function normaliseAction(json: unknown, newestStatusType: string | undefined): MgmtAction {
  if (!isJsonObject(json)) throw new TypeError(`hawkBit sent an action that is no object: ${String(json)}`);
  const status = str(json.status)?.toLowerCase();
  let active: boolean;
  let detail: string | undefined;
  if (typeof json.active === 'boolean') {
    active = json.active;
    detail = status;
  } else {
    if (status !== 'pending' && status !== 'finished') {
      throw new TypeError(`hawkBit sent an action with neither "active" nor status pending|finished: ${JSON.stringify(json)}`);
    }
    active = status === 'pending';
    detail = str(json.detailStatus)?.toLowerCase();
  }
  return {
    id: requireNumber(json, 'id', 'an action'),
    type: str(json.type) ?? 'update',
    active,
    detail: detail ?? newestStatusType ?? (active ? 'running' : 'finished'),
    forceType: str(json.forceType),
    lastStatusCode: num(json.lastStatusCode),
  };
}

/** Normalises one entry of `GET targets/{c}/actions/{a}/status`. */
export function normaliseActionStatus(json: unknown): MgmtActionStatus {
  if (!isJsonObject(json)) throw new TypeError(`hawkBit sent an action status that is no object: ${String(json)}`);
  const messages = Array.isArray(json.messages) ? json.messages.filter((m): m is string => typeof m === 'string') : [];
  return {
    id: requireNumber(json, 'id', 'an action status'),
    type: (str(json.type) ?? '').toLowerCase(),
    messages,
    code: num(json.code),
    reportedAt: num(json.reportedAt),
  };
}

/** Normalises the answer of `POST softwaremodules/{id}/artifacts`. */
export function normaliseArtifact(json: unknown): UploadedArtifact {
  if (!isJsonObject(json) || !isJsonObject(json.hashes)) {
    throw new TypeError(`hawkBit sent an artifact without hashes: ${JSON.stringify(json)}`);
  }
  const { md5, sha1 } = json.hashes;
  if (typeof md5 !== 'string' || typeof sha1 !== 'string') {
    throw new TypeError(`hawkBit sent an artifact without md5/sha1: ${JSON.stringify(json)}`);
  }
  return {
    id: requireNumber(json, 'id', 'an artifact'),
    filename: str(json.providedFilename) ?? '',
    size: requireNumber(json, 'size', 'an artifact'),
    hashes: { md5, sha1, sha256: str(json.hashes.sha256) },
  };
}

/** The `id` of the first element of a create call's answer (create calls take and return lists). */
export function firstCreatedId(json: unknown, what: string): number {
  const first: unknown = Array.isArray(json) ? json[0] : undefined;
  if (!isJsonObject(first)) throw new TypeError(`hawkBit created no ${what}: ${JSON.stringify(json)}`);
  return requireNumber(first, 'id', what);
}
