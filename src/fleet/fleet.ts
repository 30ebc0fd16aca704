import { setMaxListeners } from 'node:events';
import { mkdir, readFile } from 'node:fs/promises';
import type { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { SlotPoolCache } from '../download/index.js';
import { delay, linkSignals } from '../lib/abort.js';
import { writeFileAtomic } from '../lib/atomic-file.js';
import { errorMessage, systemErrorCode } from '../lib/errors.js';
import type { Logger, Redactor } from '../log/index.js';
import { createTransport, type Transport } from '../net/index.js';
import type { Clock } from '../system/index.js';
import { artifactSink, type ArtifactMode } from './artifact-sink.js';
import { newRecord, recordAnswer, recordState, type DeviceRecord } from './device-record.js';
import { DownloadBound } from './download-bound.js';
import { EvenSpread } from './even-spread.js';
import type { HeapGrowthBound } from './heap-growth.js';
import type { LiveView } from './live-view.js';
import { buildReport, type FleetReport } from './report.js';
import { RequestGate, type Lane, type LaneLimits, type LaneSnapshot } from './request-gate.js';
import type { VirtualDevice } from './roster.js';
import { runVirtualDevice } from './virtual-device.js';

export const PROGRESS_FILE = 'fleet-progress.json';
export const REPORT_FILE = 'fleet-report.json';

/** When the run ends by itself (besides Ctrl-C). */
export interface EndCondition {
  /** Every device's latest action is closed and nothing is under way (once this run closed one). */
  readonly whenDone: boolean;
  /** No action under way anywhere for this long, once at least one action was closed. */
  readonly idleMs: number | undefined;
  /** After this long in any case. */
  readonly durationMs: number | undefined;
}

export interface FleetOptions {
  /** The fleet's directory: one subdirectory per device, the progress and the report. */
  readonly dir: string;
  readonly devices: readonly VirtualDevice[];
  /** The config every device starts from (its server, tenant, timing, update policy). */
  readonly config: Config;
  readonly log: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly env: NodeJS.ProcessEnv;
  readonly compatible: string;
  readonly installMs: number;
  readonly rebootMs: number;
  /** Installation failure rate of a device's group; the failures are spread evenly (EvenSpread). */
  readonly failureRate: (group: string) => number;
  /** Share of the boots into a new slot that fall back to the old one (spread evenly too). */
  readonly rollbackRate: number;
  readonly artifacts: ArtifactMode;
  /** Device starts are spread evenly over this long (so their polls are too). */
  readonly rampUpMs: number;
  readonly limits: Readonly<Record<Lane, LaneLimits>>;
  readonly end: EndCondition;
  /** Where the live view goes (none: no view). */
  readonly view?: LiveView;
  readonly viewIntervalMs?: number;
  /** Told each second whether devices are updating (the CLI's, which owns the process); none: V8's own heap growth. */
  readonly heap?: HeapGrowthBound;
}

/**
 * Runs the virtual devices until an end condition holds or `signal` aborts, then stops every device
 * (its state persisted), writes `fleet-progress.json` and `fleet-report.json` and returns the report.
 * A later run on the same directory continues every device where it stopped.
 */
export async function runFleet(options: FleetOptions, signal: AbortSignal): Promise<FleetReport> {
  const { dir, log } = options;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const startedAt = Date.now();
  const records = await loadRecords(dir, options.devices);
  const byId = new Map(records.map((record) => [record.id, record]));
  const closedAtStart = records.reduce((total, record) => total + record.actionsClosed, 0);
  const answers: Record<string, number> = {};
  let rolledBack = 0;
  let bytes = 0;
  const gate = new RequestGate(options.limits, (event) => {
    answers[event.status] = (answers[event.status] ?? 0) + 1;
    const record = event.device === undefined ? undefined : byId.get(event.device);
    if (record) recordAnswer(record, event, Date.now());
  });
  const inner: Transport = createTransport({ ...options.config, env: options.env });
  const transport: Transport = { ...inner, httpAgent: gate.agent(inner.httpAgent, 80), httpsAgent: gate.agent(inner.httpsAgent, 443) as HttpsAgent };
  const stop = new AbortController();
  const linked = linkSignals([signal, stop.signal]);
  // Every device (and each of its agents) listens to it: not a leak.
  setMaxListeners(Math.max(10, options.devices.length * 4), linked.signal);
  let ended = 'stopped';
  // Whole downloads at once, as many as the download lane's requests; their memory and hash threads are
  // kept for the next download (no 4 MiB pool and thread per download: docs/performance.md § Fleet).
  const downloads = new DownloadBound(options.limits.download.concurrency);
  const downloadPools = new SlotPoolCache(Number.isFinite(downloads.limit) ? downloads.limit : 8);
  const environment = {
    config: options.config,
    downloadPools,
    log,
    redactor: options.redactor,
    clock: options.clock,
    transport,
    compatible: options.compatible,
    installMs: options.installMs,
    rebootMs: options.rebootMs,
    bootFallsBack: spreadOf(new EvenSpread(options.rollbackRate)),
    env: options.env,
  };
  const spreads = new Map<string, EvenSpread>();
  const installFails = (group: string) => {
    if (!spreads.has(group)) spreads.set(group, new EvenSpread(options.failureRate(group)));
    return spreadOf(spreads.get(group)!);
  };
  const server = `${options.config.ssl ? 'https' : 'http'}://${options.config.hawkbitServer}`;
  const runs = options.devices.map(async (device, index) => {
    const record = byId.get(device.id)!;
    const sink = artifactSink({
      mode: options.artifacts,
      storeDir: join(dir, 'artifacts'),
      onBytes: (count) => {
        record.bytes += count;
        bytes += count;
      },
    });
    await delay((options.rampUpMs * index) / Math.max(1, options.devices.length), { signal: linked.signal }).catch(() => undefined);
    if (linked.signal.aborted) return;
    const hooks = {
      onState: (state: Parameters<typeof recordState>[1]) => recordState(record, state, Date.now()),
      onReboot: (back: boolean) => {
        record.reboots++;
        if (back) rolledBack++;
      },
    };
    try {
      await runVirtualDevice(device, dir, installFails(device.group), { ...environment, wrapDownloader: (downloader) => sink(downloads.wrap(downloader)) }, hooks, linked.signal);
    } catch (error) {
      log.error(`virtual device ${device.id} could not run: ${errorMessage(error)}`);
      record.lastError = errorMessage(error);
    }
  });
  const viewEvery = options.viewIntervalMs ?? 1000;
  let lastBytes = 0;
  let lastSave = Date.now();
  let idleSince: number | undefined;
  const watch = (async () => {
    while (!linked.signal.aborted) {
      await delay(viewEvery, { signal: linked.signal }).catch(() => undefined);
      const now = Date.now();
      options.view?.draw({ title: `hawkbit-rauc fleet: ${records.length} devices → ${server}`, elapsedMs: now - startedAt, records, lanes: lanesOf(gate, downloads), answers, rate: ((bytes - lastBytes) * 1000) / viewEvery, bytes, rolledBack });
      lastBytes = bytes;
      options.heap?.busy(records.some((record) => record.phase !== 'idle'));
      if (now - lastSave > 5000) {
        lastSave = now;
        await saveRecords(dir, records).catch((error: unknown) => log.warning(`fleet progress not saved: ${errorMessage(error)}`));
      }
      const closedNow = records.reduce((total, record) => total + record.actionsClosed, 0) > closedAtStart;
      const reason = endReason(options.end, records, now - startedAt, now, idleSince, closedNow);
      idleSince = reason.idleSince;
      if (reason.ended) {
        ended = reason.ended;
        stop.abort();
      }
    }
  })();
  await Promise.all(runs);
  await downloadPools.close();
  stop.abort();
  await watch;
  options.heap?.busy(false);
  linked.dispose();
  gate.close();
  inner.destroy();
  options.view?.finish();
  await saveRecords(dir, records);
  const report = buildReport({ server, startedAt, ended: signal.aborted ? 'stopped' : ended, records, lanes: gate.snapshot(), answers, rolledBack });
  await writeFileAtomic(join(dir, REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** Whether the run ends now, and since when no action is under way (for the idle condition). */
export function endReason(
  end: EndCondition,
  records: readonly DeviceRecord[],
  elapsedMs: number,
  now: number,
  idleSince: number | undefined,
  closedThisRun: boolean,
): { ended?: string; idleSince: number | undefined } {
  if (end.durationMs !== undefined && elapsedMs >= end.durationMs) return { ended: 'duration', idleSince };
  const allClosed = records.every((record) => record.closedAt !== undefined && record.phase === 'idle');
  if (end.whenDone && closedThisRun && allClosed) return { ended: 'done', idleSince };
  if (end.idleMs === undefined) return { idleSince };
  const busy = records.some((record) => record.phase !== 'idle' && record.phase !== 'confirming');
  if (busy || !closedThisRun) return { idleSince: undefined };
  const since = idleSince ?? now;
  return now - since >= end.idleMs ? { ended: 'idle', idleSince: since } : { idleSince: since };
}

/** The gate's lanes, the downloads waiting for a place counted as the download lane's queue. */
function lanesOf(gate: RequestGate, downloads: DownloadBound): Record<Lane, LaneSnapshot> {
  const lanes = gate.snapshot();
  return { ...lanes, download: { ...lanes.download, queued: lanes.download.queued + downloads.waiting } };
}

function spreadOf(spread: EvenSpread): () => boolean {
  return () => spread.next();
}

async function loadRecords(dir: string, devices: readonly VirtualDevice[]): Promise<DeviceRecord[]> {
  let saved: DeviceRecord[] = [];
  try {
    saved = (JSON.parse(await readFile(join(dir, PROGRESS_FILE), 'utf8')) as { devices: DeviceRecord[] }).devices;
  } catch (error) {
    if (systemErrorCode(error) !== 'ENOENT') throw new Error(`${join(dir, PROGRESS_FILE)}: cannot be read (${errorMessage(error)}); remove it to start the records afresh`, { cause: error });
  }
  const byId = new Map(saved.map((record) => [record.id, record]));
  return devices.map((device) => ({ ...newRecord(device), ...byId.get(device.id), group: device.group }));
}

function saveRecords(dir: string, records: readonly DeviceRecord[]): Promise<void> {
  return writeFileAtomic(join(dir, PROGRESS_FILE), `${JSON.stringify({ devices: records })}\n`);
}
