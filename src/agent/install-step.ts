import { delay } from '../lib/abort.js';
import { errorMessage, HawkbitRaucError, isErrorNamed } from '../lib/errors.js';
import type { InstallArgs, InstallProgress, RaucProperties, SlotStatus } from '../rauc/index.js';
import type { AgentDependencies } from './context.js';
import type { FeedbackSender } from './feedback-sender.js';
import { handoverRecord, judgeHandover, slotMarks, writtenSlot, type Requested } from './install-evidence.js';
import { NO_HANDOVER, type ActionRecord, type BundleRef, type CompletedInstall, type Phase, type SlotMark } from './state.js';
import { ProgressThrottle } from './throttle.js';
import { actionTransactionId } from './transaction-id.js';

/** The agent restarted during an installation and RAUC shows it did not complete. */
export class InstallInterruptedError extends HawkbitRaucError {
  override readonly name = 'InstallInterruptedError';
  readonly code = 'INSTALL_INTERRUPTED';
}

export function isInstallInterruptedError(value: unknown): value is InstallInterruptedError {
  return isErrorNamed(value, 'InstallInterruptedError');
}

type InstallingPhase = Extract<Phase, { kind: 'installing' }>;

/**
 * Installs the action's bundles in order, from `phase.installed` on. Before each InstallBundle call,
 * RAUC's state (Operation, LastError, every slot's installed.count/timestamp, boot-status) is
 * persisted as the handover record, so that a restart can tell whether RAUC started the bundle
 * (install-evidence.ts) and never installs one twice. The first bundle's record came with the write
 * that entered `installing` (handoverBefore, for the `ready` event): it is read again right before
 * the call and written only if RAUC's state changed meanwhile. After RAUC completed a bundle, the slot
 * it wrote is recorded as the last completed installation (the update policy reads it), in the same
 * write as the step past the bundle; after the last bundle that record is returned instead, to go
 * into the move out of `installing`. RAUC's progress becomes `proceeding` feedback (percentage,
 * message with its nesting depth), rate-limited.
 */
export async function installBundles(
  deps: AgentDependencies,
  phase: InstallingPhase,
  sender: FeedbackSender,
  sourceOf: (bundle: BundleRef) => string,
  signal: AbortSignal,
): Promise<CompletedInstall | undefined> {
  const { action } = phase;
  let current = phase;
  for (let index = phase.installed; index < action.bundles.length; index++) {
    const bundle = action.bundles[index]!;
    const recorded = current.handover.stage === 'requested' && current.handover.bundle === index ? current.handover : undefined;
    const handover = recorded ? await readHandover(deps, index, signal) : await handoverBefore(deps, index, signal);
    const unchanged = recorded !== undefined && JSON.stringify(recorded) === JSON.stringify(handover);
    current = await updateInstalling(deps, { ...current, installed: index, startedAt: unchanged ? current.startedAt : now(deps), handover });
    const prefix = action.bundles.length > 1 ? `[${index + 1}/${action.bundles.length}] ` : '';
    const throttle = new ProgressThrottle(10, 1000, deps.now);
    const onProgress = (progress: InstallProgress) => {
      deps.heartbeat?.beat();
      deps.status.set({ progress: { percent: progress.percentage, message: progress.message } }, { throttle: true });
      if (!throttle.shouldSend(progress.percentage)) return;
      const details = [`${prefix}${'  '.repeat(Math.max(0, progress.depth - 1))}${progress.message} (depth ${progress.depth})`];
      // Of the whole action, so that cnt only grows over several bundles.
      const cnt = Math.floor((index * 100 + progress.percentage) / action.bundles.length);
      void sender.progress({ kind: 'installProgress', percent: cnt, details }, signal).catch(() => undefined);
    };
    await deps.checkpoint?.('before-install', signal);
    deps.log.message(`installing ${bundle.filename} (${bundle.version}) with RAUC`, { actionId: action.id });
    await deps.installer.install(sourceOf(bundle), { signal, onProgress, args: installArgs(deps, action, bundle) });
    deps.log.message(`RAUC installed ${bundle.filename}`, { actionId: action.id });
    await deps.checkpoint?.('after-install', signal);
    const lastInstall = await completedInstall(deps, action, index, handover.slots, signal);
    // The last bundle: a kill before the move out of `installing` is settled from the handover record (RAUC completed).
    if (index === action.bundles.length - 1) return lastInstall;
    current = await updateInstalling(deps, { ...current, installed: index + 1, handover: NO_HANDOVER }, lastInstall);
  }
  return undefined;
}

/** The handover record of the bundle at `index`, read from RAUC right before it is persisted (after the test pause point `before-handover`). */
export async function handoverBefore(deps: AgentDependencies, index: number, signal: AbortSignal): Promise<Requested> {
  await deps.checkpoint?.('before-handover', signal);
  return readHandover(deps, index, signal);
}

async function readHandover(deps: AgentDependencies, index: number, signal: AbortSignal): Promise<Requested> {
  const properties = await deps.installer.properties({ signal });
  return handoverRecord(index, properties, properties.operation === 'idle' ? await deps.installer.slotStatus({ signal }) : []);
}

/** One write: the next bundle's index and, when known, the record of the bundle RAUC just completed. */
async function updateInstalling(deps: AgentDependencies, phase: InstallingPhase, lastInstall?: CompletedInstall): Promise<InstallingPhase> {
  return (await deps.store.update(phase, lastInstall ? { lastInstall } : {})).phase as InstallingPhase;
}

/**
 * The record of the last completed installation with the slot RAUC just wrote with the bundle at
 * `index`, persisted together with the step past it. Best effort: without it the update policy only
 * lacks a record.
 */
async function completedInstall(deps: AgentDependencies, action: ActionRecord, index: number, before: readonly SlotMark[], signal: AbortSignal): Promise<CompletedInstall | undefined> {
  const bundle = action.bundles[index]!;
  try {
    const slot = writtenSlot(before, slotMarks(await deps.installer.slotStatus({ signal })), bundle.version);
    if (!slot) {
      deps.log.warning(`RAUC completed ${bundle.filename}, but no slot shows a new installation of ${bundle.version}; not recorded`);
      return undefined;
    }
    const previous = deps.store.state.lastInstall;
    const kept = previous?.actionId === action.id ? previous.bundles.filter((entry) => entry.slot.name !== slot.name) : [];
    const entry = { chunk: bundle.chunk, version: bundle.version, filename: bundle.filename, sha256: bundle.sha256, slot };
    return { actionId: action.id, bundles: [...kept, entry] };
  } catch (error) {
    if (signal.aborted) throw error;
    deps.log.warning(`the slot RAUC wrote with ${bundle.filename} could not be read (${errorMessage(error)}); not recorded`);
    return undefined;
  }
}

/**
 * Every install carries the action's transaction id (sent to a RAUC that takes it, see
 * DbusInstaller.features). Streaming hands RAUC the URL together with what it needs to fetch it (auth
 * header, TLS settings).
 */
function installArgs(deps: AgentDependencies, action: ActionRecord, bundle: BundleRef): InstallArgs {
  const transactionId = action.transactionId ?? actionTransactionId(deps.config, action.id);
  if (bundle.path !== undefined) return { transactionId };
  const { config } = deps;
  const headers = Object.entries(deps.ddi.downloadHeaders()).map(([name, value]) => `${name}: ${value}`);
  return {
    transactionId,
    ...(headers.length > 0 ? { httpHeaders: headers } : {}),
    ...(config.ssl && config.sslCert ? { tlsCert: config.sslCert } : {}),
    ...(config.ssl && config.sslKey ? { tlsKey: config.sslKey } : {}),
    ...(config.ssl && config.caFile ? { tlsCa: config.caFile } : {}),
    ...(config.ssl && !config.sslVerify ? { tlsNoVerify: true } : {}),
  };
}

/** Where a restart in `installing` goes on from: the phase to persist, and whether that counts as a visit (the bundle is installed again). */
export interface Settled {
  readonly phase: InstallingPhase;
  readonly visit: boolean;
  /** The record of the bundle RAUC completed before the restart, written with the step past it (the last bundle: with the move out of `installing`). */
  readonly lastInstall?: CompletedInstall;
}

/**
 * After a restart in `installing`: what became of the bundle at `phase.installed`. Not handed to RAUC
 * (no record) → it is installed now; handed over → wait while RAUC still installs, then judge RAUC's
 * slot status against the record (install-evidence.ts): completed → the next bundle; no trace →
 * never started, installed now; started but not completed → InstallInterruptedError (never installed
 * again). Returns the phase to go on from (`installed` = bundles.length: all done); the caller persists it.
 */
export async function settleInterruptedInstall(deps: AgentDependencies, phase: InstallingPhase, signal: AbortSignal): Promise<Settled> {
  const bundle = phase.action.bundles[phase.installed];
  if (!bundle) return { phase, visit: false };
  const { handover } = phase;
  if (handover.stage === 'none') {
    deps.log.message(`${bundle.filename} (${bundle.version}) was not handed to RAUC before the restart; it is installed now`);
    return { phase, visit: true };
  }
  let properties = await deps.installer.properties({ signal });
  while (properties.operation === 'installing') {
    deps.log.message('RAUC is still installing the bundle handed over before the restart; waiting');
    await delay(1000, { signal });
    deps.heartbeat?.beat();
    properties = await deps.installer.properties({ signal });
  }
  const slots = await deps.installer.slotStatus({ signal });
  if (handover.stage === 'unknown') return { phase: settleWithoutRecord(deps, phase, slots, properties), visit: false };
  const evidence = judgeHandover(handover, bundle.version, slots, properties);
  if (evidence.verdict === 'completed') {
    deps.log.message(`RAUC completed ${bundle.filename} into ${evidence.slot.name} before the restart`);
    const lastInstall = await completedInstall(deps, phase.action, phase.installed, handover.slots, signal);
    return { phase: { ...phase, installed: phase.installed + 1, handover: NO_HANDOVER }, visit: false, ...(lastInstall ? { lastInstall } : {}) };
  }
  if (evidence.verdict === 'untouched') {
    deps.log.message(`RAUC shows no trace of ${bundle.filename} (${bundle.version}): it never started before the restart (no slot changed, RAUC idle); installing it now`);
    return { phase: { ...phase, handover: NO_HANDOVER }, visit: true };
  }
  throw new InstallInterruptedError(
    `the installation of ${bundle.filename} (${bundle.version}) was interrupted by a restart: RAUC started it but did not complete it (${evidence.reason})`,
  );
}

/** A state file of an older version: a slot showing the version installed after the hand-over means it completed. */
function settleWithoutRecord(deps: AgentDependencies, phase: InstallingPhase, slots: readonly SlotStatus[], properties: RaucProperties): InstallingPhase {
  const bundle = phase.action.bundles[phase.installed]!;
  const installed = slots.find((slot) => {
    const stamp = Date.parse(String(slot.raw['installed.timestamp'] ?? ''));
    return slot.bundleVersion === bundle.version && Number.isFinite(stamp) && stamp >= phase.startedAt - 5000;
  });
  if (installed) {
    deps.log.message(`RAUC completed ${bundle.filename} into ${installed.name} before the restart`);
    return { ...phase, installed: phase.installed + 1, handover: NO_HANDOVER };
  }
  const reason = properties.lastError ? `: ${properties.lastError}` : '';
  throw new InstallInterruptedError(
    `the installation of ${bundle.filename} (${bundle.version}) was interrupted by a restart and RAUC shows no completed installation${reason}`,
  );
}

export function describeBundles(action: ActionRecord): string {
  return action.bundles.map((bundle) => `${bundle.chunk} ${bundle.version}`).join(', ');
}

function now(deps: AgentDependencies): number {
  return (deps.now ?? Date.now)();
}
