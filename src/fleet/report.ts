import { sanitizeForTerminal } from '../lib/sanitize.js';
import { closeTimeMs, type DeviceRecord } from './device-record.js';
import type { Lane, LaneSnapshot } from './request-gate.js';
import { isoTime } from '../lib/iso-time.js';

/** How the closed actions' times from assignment to `closed` spread (milliseconds). */
export interface TimeSpread {
  readonly count: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly max: number | undefined;
}

export interface FleetReport {
  readonly server: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** Why the run ended: `done`, `idle`, `duration`, `stopped` (Ctrl-C). */
  readonly ended: string;
  readonly summary: {
    readonly devices: number;
    readonly success: number;
    readonly failure: number;
    /** Devices with an action not closed yet. */
    readonly inProgress: number;
    /** Devices that never saw an action. */
    readonly noAction: number;
    readonly rolledBack: number;
    readonly feedback: number;
    readonly bytes: number;
  };
  readonly timeToClosedMs: TimeSpread;
  /** Requests per lane, and how often the server answered 429. */
  readonly requests: Readonly<Record<Lane, { readonly started: number; readonly throttled: number }>>;
  /** The server's answers by HTTP status, e.g. `{ "200": 5120, "429": 3 }`. */
  readonly answers: Readonly<Record<string, number>>;
  readonly devices: readonly DeviceRecord[];
}

/** The nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function timeSpread(records: readonly DeviceRecord[]): TimeSpread {
  const times = records.flatMap((record) => {
    const ms = closeTimeMs(record);
    return ms === undefined ? [] : [ms];
  });
  times.sort((a, b) => a - b);
  return { count: times.length, p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1) };
}

/** What the fleet counts while it runs: the view shows it, the report sums it up. */
export interface FleetCounters {
  readonly records: readonly DeviceRecord[];
  readonly lanes: Readonly<Record<Lane, LaneSnapshot>>;
  /** The server's answers by HTTP status. */
  readonly answers: Readonly<Record<string, number>>;
  readonly rolledBack: number;
}

export interface ReportInput extends FleetCounters {
  readonly server: string;
  readonly startedAt: number;
  readonly ended: string;
}

export function buildReport(input: ReportInput, now = Date.now()): FleetReport {
  const { records } = input;
  const closed = records.filter((record) => record.closedAt !== undefined);
  const sum = (pick: (record: DeviceRecord) => number) => records.reduce((total, record) => total + pick(record), 0);
  const lane = (name: Lane) => ({ started: input.lanes[name].started, throttled: input.lanes[name].throttled });
  return {
    server: input.server,
    startedAt: isoTime(input.startedAt),
    endedAt: isoTime(now),
    ended: input.ended,
    summary: {
      devices: records.length,
      success: closed.filter((record) => record.result === 'success').length,
      failure: closed.filter((record) => record.result === 'failure').length,
      inProgress: records.filter((record) => record.actionId !== undefined && record.closedAt === undefined).length,
      noAction: records.filter((record) => record.actionId === undefined).length,
      rolledBack: input.rolledBack,
      feedback: sum((record) => record.feedback),
      bytes: sum((record) => record.bytes),
    },
    timeToClosedMs: timeSpread(records),
    requests: { read: lane('read'), download: lane('download'), write: lane('write') },
    answers: { ...input.answers },
    devices: records.map((record) => ({ ...record })),
  };
}

export function seconds(ms: number | undefined): string {
  return ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The device's result as one word: success, failure, open (the action is not closed), none (no action). */
export function resultOf(record: DeviceRecord): string {
  if (record.closedAt !== undefined) return record.result ?? 'closed';
  return record.actionId === undefined ? 'none' : `open (${record.phase})`;
}

/** The report as text for the terminal: the summary, then one line per device. */
export function reportTable(report: FleetReport): string {
  const { summary, timeToClosedMs: times } = report;
  const answers = Object.entries(report.answers).sort(([a], [b]) => Number(a) - Number(b)).map(([status, count]) => `${status} ×${count}`).join(' · ');
  const lines = [
    `fleet report: ${summary.devices} devices against ${report.server}, ${report.startedAt} – ${report.endedAt} (${report.ended})`,
    `results: ${summary.success} success · ${summary.failure} failure · ${summary.inProgress} open · ${summary.noAction} without an action${summary.rolledBack > 0 ? ` · ${summary.rolledBack} simulated rollbacks` : ''}`,
    `assignment → closed: p50 ${seconds(times.p50)} · p95 ${seconds(times.p95)} · max ${seconds(times.max)} (${times.count} closed)`,
    `feedback accepted: ${summary.feedback} · downloaded: ${formatBytes(summary.bytes)} · requests: read ${report.requests.read.started}, download ${report.requests.download.started}, write ${report.requests.write.started} · 429: ${report.requests.read.throttled + report.requests.download.throttled + report.requests.write.throttled}`,
    `server answers: ${answers || 'none'}`,
    '',
  ];
  const header = ['device', 'group', 'action', 'result', 'to closed', 'feedback', 'bytes', 'errors', 'details / last error'];
  const rows = report.devices.map((record) => [
    record.id,
    record.group,
    record.actionId ?? '–',
    resultOf(record),
    seconds(closeTimeMs(record)),
    String(record.feedback),
    formatBytes(record.bytes),
    String(record.errors),
    sanitizeForTerminal(record.details ?? record.lastError ?? '', { singleLine: true }).slice(0, 100),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [...lines, line(header), ...rows.map(line), ''].join('\n');
}
