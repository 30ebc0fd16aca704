import { isDdiActionClosedError, isDdiNotFoundError, type Feedback } from '../ddi/index.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../log/index.js';
import { feedbackFor, type Note } from './feedback.js';
import type { PhaseKind } from './state.js';

/** Anything feedback can be posted to (deployment or cancel handle). */
export interface FeedbackTarget {
  readonly actionId: string;
  feedback(feedback: Feedback, options?: { signal?: AbortSignal }): Promise<void>;
}

/** `delivered`, or `closed` when the server says the action is over (410) or gone (404). */
export type Delivery = 'delivered' | 'closed';

/**
 * Posts the feedback of one action in order. The first feedback after a restart is preceded by
 * `resumed` (naming the persisted phase). Progress feedback is best effort; final feedback throws when
 * it could not be delivered, so that the caller keeps the result persisted and tries again later.
 */
export class FeedbackSender {
  #resumedFrom: PhaseKind | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly target: FeedbackTarget,
    private readonly log: Logger,
    resumedFrom?: PhaseKind,
  ) {
    this.#resumedFrom = resumedFrom;
  }

  get actionId(): string {
    return this.target.actionId;
  }

  /** Best effort: failures are logged, never thrown (an abort still rejects). */
  async progress(note: Note, signal?: AbortSignal): Promise<void> {
    try {
      await this.final(note, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      this.log.warning(`feedback '${feedbackFor(note).execution}' for action ${this.target.actionId} not delivered: ${errorMessage(error)}`);
    }
  }

  /** Delivers or throws; a 410/404 answer counts as done ('closed'). */
  final(note: Note, signal?: AbortSignal): Promise<Delivery> {
    const next = this.#queue.then(() => this.#send(feedbackFor(note), signal));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #send(feedback: Feedback, signal: AbortSignal | undefined): Promise<Delivery> {
    try {
      if (this.#resumedFrom !== undefined) {
        await this.target.feedback(feedbackFor({ kind: 'resumed', phase: this.#resumedFrom }), { signal });
        this.#resumedFrom = undefined;
      }
      await this.target.feedback(feedback, { signal });
      this.log.debug(`feedback sent: ${feedback.execution}/${feedback.finished}`, { actionId: this.target.actionId, details: feedback.details });
      return 'delivered';
    } catch (error) {
      if (isDdiActionClosedError(error) || isDdiNotFoundError(error)) {
        this.log.info(`action ${this.target.actionId} is no longer open on the server (${errorMessage(error)})`);
        return 'closed';
      }
      throw error;
    }
  }
}
