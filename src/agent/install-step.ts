import { buildFeedback } from '../ddi/index.js';
import { delay } from '../lib/abort.js';
import { HawkbitRaucError, isErrorNamed } from '../lib/errors.js';
import type { InstallArgs, InstallProgress } from '../rauc/index.js';
import type { AgentDependencies } from './context.js';
import type { FeedbackSender } from './feedback-sender.js';
import type { ActionRecord, BundleRef, Phase } from './state.js';
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
 * Installs the action's bundles in order, from `phase.installed` on, persisting the index before each
 * hand-over to RAUC so that a restart never installs a bundle twice. RAUC's progress becomes
 * `proceeding` feedback (percentage, message with its nesting depth), rate-limited.
 */
export async function installBundles(
  deps: AgentDependencies,
  phase: InstallingPhase,
  sender: FeedbackSender,
  sourceOf: (bundle: BundleRef) => string,
  signal: AbortSignal,
): Promise<void> {
  const { action } = phase;
  for (let index = phase.installed; index < action.bundles.length; index++) {
    const bundle = action.bundles[index]!;
    await deps.store.update({ ...phase, installed: index, startedAt: now(deps) });
    const prefix = action.bundles.length > 1 ? `[${index + 1}/${action.bundles.length}] ` : '';
    const throttle = new ProgressThrottle(10, 1000, deps.now);
    const onProgress = (progress: InstallProgress) => {
      deps.status.set({ progress: { percent: progress.percentage, message: progress.message } }, { throttle: true });
      if (!throttle.shouldSend(progress.percentage)) return;
      const details = [`${prefix}${'  '.repeat(Math.max(0, progress.depth - 1))}${progress.message} (depth ${progress.depth})`];
      void sender.progress(buildFeedback('proceeding', 'none', { progress: { cnt: progress.percentage, of: 100 }, details }), signal).catch(() => undefined);
    };
    deps.log.message(`installing ${bundle.filename} (${bundle.version}) with RAUC`, { actionId: action.id });
    await deps.installer.install(sourceOf(bundle), { signal, onProgress, args: installArgs(deps, action, bundle) });
    deps.log.message(`RAUC installed ${bundle.filename}`, { actionId: action.id });
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

/**
 * After a restart in `installing`: find out whether RAUC finished the bundle that was handed over.
 * Waits while RAUC is still installing; then a slot showing that bundle's version installed after the
 * hand-over means it completed. Otherwise throws InstallInterruptedError (it is never installed again).
 */
export async function settleInterruptedInstall(deps: AgentDependencies, phase: InstallingPhase, signal: AbortSignal): Promise<void> {
  const bundle = phase.action.bundles[phase.installed]!;
  let properties = await deps.installer.properties({ signal });
  while (properties.operation === 'installing') {
    deps.log.message('RAUC is still installing the bundle handed over before the restart; waiting');
    await delay(1000, { signal });
    properties = await deps.installer.properties({ signal });
  }
  const slots = await deps.installer.slotStatus({ signal });
  const installed = slots.find((slot) => {
    const stamp = Date.parse(String(slot.raw['installed.timestamp'] ?? ''));
    return slot.bundleVersion === bundle.version && Number.isFinite(stamp) && stamp >= phase.startedAt - 5000;
  });
  if (installed) {
    deps.log.message(`RAUC completed ${bundle.filename} into ${installed.name} before the restart`);
    return;
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
