import type { PersistedState } from '../agent/index.js';
import type { GateEvent } from './request-gate.js';
import type { VirtualDevice } from './roster.js';

/** What the fleet knows of one virtual device; kept in `fleet-progress.json` across restarts. */
export interface DeviceRecord {
  readonly id: string;
  readonly group: string;
  /** The agent's persisted phase (`idle`, `downloading`, …). */
  phase: string;
  /** The action the device last saw. */
  actionId: string | undefined;
  /** When the device first saw that action (the first GET of its deploymentBase), epoch ms. */
  assignedAt: number | undefined;
  /** When the server accepted the action's final feedback (`closed`), epoch ms. */
  closedAt: number | undefined;
  result: 'success' | 'failure' | undefined;
  /** The final feedback's first detail line (what the device reported). */
  details: string | undefined;
  /** Actions this device closed since the fleet directory was made. */
  actionsClosed: number;
  /** Feedback messages the server accepted (2xx). */
  feedback: number;
  /** Artifact bytes received over the network. */
  bytes: number;
  /** Answers with a status of 400 or more (429 included). */
  errors: number;
  /** 429 answers. */
  throttled: number;
  /** The last answer of 400 or more: `POST …/feedback → 500`. */
  lastError: string | undefined;
  /** Simulated reboots. */
  reboots: number;
}

const DEPLOYMENT = /\/deploymentBase\/([^/?]+)/;

export function newRecord(device: VirtualDevice): DeviceRecord {
  return {
    id: device.id,
    group: device.group,
    phase: 'idle',
    actionId: undefined,
    assignedAt: undefined,
    closedAt: undefined,
    result: undefined,
    details: undefined,
    actionsClosed: 0,
    feedback: 0,
    bytes: 0,
    errors: 0,
    throttled: 0,
    lastError: undefined,
    reboots: 0,
  };
}

/** An answer of the server to this device's request. */
export function recordAnswer(record: DeviceRecord, event: GateEvent, now: number): void {
  if (event.status >= 400) {
    record.errors++;
    if (event.status === 429) record.throttled++;
    record.lastError = `${event.method} ${event.path.split('?')[0]} → ${event.status}`;
    return;
  }
  if (event.method === 'POST' && event.path.split('?')[0]!.endsWith('/feedback')) record.feedback++;
  const offered = event.method === 'GET' ? DEPLOYMENT.exec(event.path)?.[1] : undefined;
  if (offered !== undefined && offered !== record.actionId) startAction(record, offered, now);
}

/** A persisted state of the device's agent: its phase, and the action's end once its result was delivered. */
export function recordState(record: DeviceRecord, state: PersistedState, now: number): void {
  const { phase } = state;
  const before = record.phase;
  record.phase = phase.kind;
  if (phase.kind === 'idle') {
    if (before === 'reporting' || before === 'cleanup') closeAction(record, now);
    return;
  }
  if (phase.action.id !== record.actionId) startAction(record, phase.action.id, now);
  if (phase.kind === 'reporting') {
    record.result = phase.outcome.result;
    record.details = phase.outcome.details[0];
  }
  if (phase.kind === 'cleanup' && before === 'reporting') closeAction(record, now);
}

function startAction(record: DeviceRecord, actionId: string, now: number): void {
  record.actionId = actionId;
  record.assignedAt = now;
  record.closedAt = undefined;
  record.result = undefined;
  record.details = undefined;
}

function closeAction(record: DeviceRecord, now: number): void {
  if (record.closedAt !== undefined || record.result === undefined) return;
  record.closedAt = now;
  record.actionsClosed++;
}

/** Milliseconds from assignment to closed, for a closed action. */
export function closeTimeMs(record: DeviceRecord): number | undefined {
  return record.closedAt !== undefined && record.assignedAt !== undefined ? record.closedAt - record.assignedAt : undefined;
}
