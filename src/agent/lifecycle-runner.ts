import type { CancelHandle, ConfirmationHandle, DeploymentHandle } from '../ddi/index.js';
import { errorMessage } from '../lib/errors.js';
import { confirmationEvent } from './confirmation.js';
import type { AgentDependencies } from './context.js';
import { FeedbackSender } from './feedback-sender.js';
import { isCancelable, LIFECYCLE } from './lifecycle.js';
import { runEffect, type Channel } from './lifecycle-effects.js';
import type { End, Entry, EventType, LifecycleEvent, Origin, RunEnd, Step, StepFeedback } from './lifecycle-types.js';
import type { Phase, PhaseKind } from './state.js';
import { IllegalTransitionError, LifecycleDefectError } from './transitions.js';

/** The parts of a channel a caller gives; the runner adds the rest. */
type Opening = Omit<Channel, 'announced' | 'answerCancel'>;

/**
 * Runs the lifecycle table (lifecycle.ts): looks up the handler of the persisted phase for an event,
 * persists the phase it returns (atomic StateStore; a move the handler does not declare is refused),
 * then applies its status and log lines, sends its feedback, and runs its effect, whose result is the
 * next event — until a step ends. An abort (SIGTERM, a cancel from the server) stops it with the state
 * kept; any other error becomes the `failed` event of the phase it happened in.
 */
export class LifecycleRunner {
  /** Waiting reasons already reported per action, so `scheduled` feedback is sent once, not per poll. */
  readonly #announced = new Map<string, string>();

  constructor(private readonly deps: AgentDependencies) {}

  /** The server offers the action (deploymentBase): carry it as far as it goes now. */
  async offer(handle: DeploymentHandle, signal: AbortSignal, resumedFrom?: PhaseKind): Promise<RunEnd> {
    const sender = new FeedbackSender(handle, this.deps.log.child({ actionId: handle.actionId }), resumedFrom);
    return runEnd(await this.#guarded({ type: 'offer' }, handle.actionId, { origin: 'server', signal, sender, deployment: handle }));
  }

  /** The state file of the offered action was damaged at start: it is reported as failed. */
  async lost(handle: DeploymentHandle, signal: AbortSignal): Promise<RunEnd> {
    const sender = new FeedbackSender(handle, this.deps.log);
    return runEnd(await this.#dispatch({ type: 'lost', actionId: handle.actionId }, { origin: 'server', signal, sender, deployment: handle }));
  }

  /** At start, before the first poll: settle what needs no server (`retry`: RAUC is not up yet, try again later). */
  async resume(signal: AbortSignal): Promise<'done' | 'retry'> {
    const phase = this.deps.store.phase;
    const end = await this.#guarded({ type: 'resume' }, phase.kind === 'idle' ? '' : phase.action.id, { origin: 'resume', signal });
    return end.end === 'retry' ? 'retry' : 'done';
  }

  /** A cancel request: `stopJob` stops the running work of the action (unless the phase refuses the cancel). */
  async cancel(handle: CancelHandle, stopJob: (actionId: string) => Promise<boolean>, signal: AbortSignal): Promise<void> {
    const { stopId } = await handle.fetch({ signal });
    const sender = new FeedbackSender(handle, this.deps.log.child({ actionId: stopId }));
    const phase = this.deps.store.phase;
    const ours = phase.kind !== 'idle' && phase.action.id === stopId ? phase.kind : undefined;
    const stopped = ours !== undefined && !isCancelable(ours) ? false : await stopJob(stopId);
    await this.#dispatch({ type: 'cancel', stopId, stopped, before: ours }, { origin: 'server', signal, sender });
  }

  /** A confirmation request (confirmationBase), decided per confirmation_policy. */
  async confirm(handle: ConfirmationHandle, signal: AbortSignal): Promise<void> {
    const event = await confirmationEvent(this.deps, handle, signal);
    if (event) await this.#dispatch(event, { origin: 'server', signal, confirmation: handle });
  }

  /** The server no longer offers the persisted action (or offers another): a droppable phase is cleaned up. */
  async drop(replacedBy: string | undefined, signal: AbortSignal): Promise<void> {
    await this.#dispatch({ type: 'gone', replacedBy }, { origin: 'server', signal });
  }

  /** Dispatches; an error (not an abort) becomes the `failed` event of the phase it happened in, where the table has one. */
  async #guarded(event: LifecycleEvent, actionId: string, opening: Opening): Promise<End> {
    try {
      return await this.#dispatch(event, opening);
    } catch (error) {
      if (opening.signal.aborted || !LIFECYCLE[this.deps.store.phase.kind].failed) throw error;
      return this.#dispatch({ type: 'failed', error, actionId, cancelChecked: false }, opening);
    }
  }

  async #dispatch(first: LifecycleEvent, opening: Opening): Promise<End> {
    const channel: Channel = { ...opening, announced: this.#announced, answerCancel: (actionId, error) => this.#answerCancel(actionId, error, opening.signal) };
    let event = first;
    for (;;) {
      const phase = this.deps.store.phase;
      const entry = LIFECYCLE[phase.kind][event.type] as Entry<PhaseKind, EventType> | undefined;
      if (!entry) throw new LifecycleDefectError(`internal: no '${event.type}' handler in phase '${phase.kind}'`);
      const step = entry.run(phase as never, event as never, { values: this.deps.config, origin: opening.origin });
      if (step.next) await this.#persist(phase, step.next, step, entry, event.type);
      if (step.status) this.deps.status.set(step.status);
      for (const [level, text] of step.log ?? []) this.deps.log[level](text);
      if (step.feedback) await this.#send(step.feedback, channel);
      if (!step.effect) return step.end ?? { end: 'done' };
      const result = await runEffect(this.deps, step.effect, channel);
      if ('end' in result) return result;
      event = result;
    }
  }

  async #persist(from: Phase, next: Phase, step: Step, entry: Entry<PhaseKind, EventType>, event: EventType): Promise<void> {
    const record = step.lastInstall ? { lastInstall: step.lastInstall } : {};
    if (step.update) {
      await this.deps.store.update(next, record);
      return;
    }
    if (entry.to[next.kind] === undefined) throw new IllegalTransitionError(`illegal lifecycle transition ${from.kind} → ${next.kind} on '${event}'`);
    await this.deps.store.transition(next, record);
    this.deps.moves?.({ from: from.kind, to: next.kind, event });
  }

  async #send({ note, mode }: StepFeedback, channel: Channel): Promise<void> {
    const { sender, signal } = channel;
    if (!sender) return;
    if (mode === 'progress') return sender.progress(note, signal);
    if (mode === 'final') {
      await sender.final(note, signal);
      return;
    }
    try {
      await sender.final(note, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      this.deps.log.warning(`cancel of action ${sender.actionId} done but not acknowledged yet: ${errorMessage(error)}`);
    }
  }

  /** After a failure before the installation: the controller base's cancelAction for this action, if it offers one, is answered (the cancel wins). */
  async #answerCancel(actionId: string, error: unknown, signal: AbortSignal): Promise<boolean> {
    let cancel: CancelHandle | undefined;
    try {
      cancel = (await this.deps.ddi.poll({ signal })).cancel;
    } catch (pollError) {
      if (signal.aborted) throw pollError;
      this.deps.log.warning(`action ${actionId}: could not check the server for a cancel (${errorMessage(pollError)})`);
      return false;
    }
    if (cancel?.actionId !== actionId) return false;
    this.deps.log.message(`action ${actionId}: ${errorMessage(error)}, but the server has canceled the action meanwhile; the cancel wins`);
    await this.cancel(cancel, () => Promise.resolve(false), signal);
    return true;
  }
}

function runEnd(end: End): RunEnd {
  if (end.end === 'done' || end.end === 'retry') throw new LifecycleDefectError(`internal: a run of an action ended with '${end.end}'`);
  return end as RunEnd;
}

export type { Origin };
