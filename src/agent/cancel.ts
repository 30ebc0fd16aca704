import { buildFeedback, STATUS_CODES, type CancelHandle } from '../ddi/index.js';
import { errorMessage } from '../lib/errors.js';
import type { AgentDependencies } from './context.js';
import { cleanUp } from './finish.js';
import { FeedbackSender } from './feedback-sender.js';
import type { PhaseKind } from './state.js';

/** Phases in which an action can still be stopped without harm: nothing has been written to a slot. */
const CANCELABLE: ReadonlySet<PhaseKind> = new Set(['confirming', 'downloading', 'downloaded']);

/** Whether an action in this phase (idle: not started) can still be canceled without harm. */
export function isCancelable(kind: PhaseKind): boolean {
  return kind === 'idle' || CANCELABLE.has(kind);
}

/**
 * Answers a cancel request. Before the installation started: stop the running work (via `stopJob`),
 * delete its files and accept (closed/success). From the installation on: refuse (rejected), because
 * RAUC cannot be stopped and the slot is being written. An action this device does not know: accept.
 */
export async function handleCancel(
  deps: AgentDependencies,
  handle: CancelHandle,
  stopJob: (actionId: string) => Promise<boolean>,
  signal: AbortSignal,
): Promise<void> {
  const { stopId } = await handle.fetch({ signal });
  const sender = new FeedbackSender(handle, deps.log.child({ actionId: stopId }));
  const phase = deps.store.phase;
  const ours = phase.kind !== 'idle' && phase.action.id === stopId ? phase : undefined;

  if (ours && !CANCELABLE.has(ours.kind)) {
    deps.log.warning(`cancel of action ${stopId} refused: phase '${ours.kind}'`);
    await sender.final(buildFeedback('rejected', 'none', { details: [`cannot cancel: the installation has already started (phase '${ours.kind}')`] }), signal);
    return;
  }
  const stopped = await stopJob(stopId);
  const current = deps.store.phase;
  if (current.kind !== 'idle' && current.action.id === stopId) {
    await cleanUp(deps, current.action);
  }
  const what = ours || stopped ? `canceled in phase '${ours?.kind ?? 'starting'}', before the installation; files removed` : 'canceled: the action was not running on this device';
  deps.log.message(`action ${stopId} ${what}`);
  try {
    await sender.final(buildFeedback('closed', 'success', { code: STATUS_CODES.CANCELED, details: [what] }), signal);
  } catch (error) {
    if (signal.aborted) throw error;
    deps.log.warning(`cancel of action ${stopId} done but not acknowledged yet: ${errorMessage(error)}`);
  }
}
