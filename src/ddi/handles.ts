import type { Feedback } from './feedback-types.js';
import type { AutoConfirmState, CancelAction, ConfigDataMode, ConfirmationDecision, Deployment } from './model.js';

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/**
 * Typed handles for the links of a poll answer. Each follows the server's href as given (including the
 * opaque `c` parameter); no action URL is ever built by hand.
 */
export interface DeploymentHandle {
  /** The action id (from the href). */
  readonly actionId: string;
  readonly href: string;
  fetch(options?: CallOptions & { actionHistory?: number }): Promise<Deployment>;
  /** POSTs feedback; throws DdiActionClosedError on 410 (the action is over: stop reporting). */
  feedback(feedback: Feedback, options?: CallOptions): Promise<void>;
}

export interface CancelHandle {
  readonly actionId: string;
  readonly href: string;
  fetch(options?: CallOptions): Promise<CancelAction>;
  feedback(feedback: Feedback, options?: CallOptions): Promise<void>;
}

export interface ConfigDataHandle {
  readonly href: string;
  /** PUTs `{ data, mode }`; throws DdiProtocolError naming the attribute if one breaks the server's limits. */
  send(attributes: Readonly<Record<string, string>>, mode?: ConfigDataMode, options?: CallOptions): Promise<void>;
}

export interface ConfirmationHandle {
  /** Action id waiting for confirmation. */
  readonly actionId: string;
  readonly href: string;
  /** The deployment waiting for confirmation (the server's `confirmation` object). */
  fetch(options?: CallOptions & { actionHistory?: number }): Promise<Deployment>;
  respond(
    decision: ConfirmationDecision,
    details?: { code?: number; details?: readonly string[] },
    options?: CallOptions,
  ): Promise<void>;
}

export interface InstalledHandle {
  readonly actionId: string;
  readonly href: string;
  fetch(options?: CallOptions & { actionHistory?: number }): Promise<Deployment>;
}

/** Result of one poll of the controller base resource. */
export interface PollResult {
  /** Delay before the next poll, from `config.polling.sleep`. */
  readonly sleepMs: number;
  /** True when the server answered 304 (ETag unchanged): the handles are those of the previous poll. */
  readonly notModified: boolean;
  readonly deployment?: DeploymentHandle;
  readonly cancel?: CancelHandle;
  readonly configData?: ConfigDataHandle;
  readonly confirmation?: ConfirmationHandle;
  readonly installed?: InstalledHandle;
}

/** What the agent needs of the DDI client. DdiClient implements it; tests may substitute the fake server. */
export interface DdiApi {
  poll(options?: CallOptions): Promise<PollResult>;
  autoConfirmState(options?: CallOptions): Promise<AutoConfirmState>;
  activateAutoConfirm(details?: { initiator?: string; remark?: string }, options?: CallOptions): Promise<void>;
  deactivateAutoConfirm(options?: CallOptions): Promise<void>;
  /**
   * The controller's configData resource, for sending attributes when the server did not ask (at start,
   * after a change). The server's own link (PollResult.configData) is used when it offers one.
   */
  configData(): ConfigDataHandle;
  /**
   * Request headers a download of an artifact of this server needs (Authorization when
   * `send_download_authentication` is on); empty otherwise. Also what streaming passes to RAUC.
   */
  downloadHeaders(): Readonly<Record<string, string>>;
}
