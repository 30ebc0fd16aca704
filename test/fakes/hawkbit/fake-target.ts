import { FakeAction, type DeploymentSpec } from './fake-action.js';

export interface Reply {
  readonly status: number;
  readonly json?: unknown;
}

/** What a target needs from the server it lives on. */
export interface TargetHost {
  baseUrl(controllerId: string): string;
  nextId(): number;
  readonly quotaStatus: 403 | 429;
  readonly maxStatusEntries: number;
  pollingSleep(): string;
}

export type FeedbackKind = 'deployment' | 'cancel' | 'confirmation';

export interface FeedbackRecord {
  readonly actionId: string;
  readonly kind: FeedbackKind;
  readonly body: unknown;
}

const EXECUTIONS = ['closed', 'proceeding', 'canceled', 'scheduled', 'rejected', 'resumed', 'downloaded', 'download'];
const FINISHED = ['success', 'failure', 'none'];
const QUOTA = 'hawkbit.server.error.quota.tooManyEntries';

const notFound: Reply = { status: 404 };
const badRequest = (message: string): Reply => ({ status: 400, json: { errorCode: 'hawkbit.server.error.rest.body.notReadable', message } });

/** A device known to the fake server, with its actions, attributes and everything it reported. */
export class FakeTarget {
  readonly actions: FakeAction[] = [];
  /** Attributes as last sent through configData. */
  attributes: Record<string, string> = {};
  /** The server asks for attributes (configData link): true for a new target and after a successful update. */
  attributesRequested = true;
  autoConfirm: { active: boolean; initiator?: string; remark?: string; activatedAt?: number } = { active: false };
  /** Every feedback body received, in order, with its action and endpoint. */
  readonly feedback: FeedbackRecord[] = [];

  constructor(readonly controllerId: string, readonly token: string | undefined, private readonly host: TargetHost) {}

  /** Assigns a distribution set built from `spec`; returns the new action's id. */
  pushDeployment(spec: DeploymentSpec): { actionId: string } {
    const action = new FakeAction(String(this.host.nextId()), spec, () => this.host.nextId());
    if (action.awaitingConfirmation && this.autoConfirm.active) action.awaitingConfirmation = false;
    this.actions.push(action);
    return { actionId: action.id };
  }

  /**
   * An update the server counts as installed on this target before the test starts (as if a device
   * had closed it with success earlier): the base then links it as `installedBase`, which answers
   * the deployment JSON of `GET deploymentBase` under the `deployment` key, as hawkBit's
   * `getControllerInstalledAction` does.
   */
  recordInstalled(spec: DeploymentSpec): { actionId: string } {
    const { actionId } = this.pushDeployment(spec);
    this.action(actionId).status = 'finished';
    return { actionId };
  }

  action(actionId: string): FakeAction {
    const action = this.actions.find((a) => a.id === actionId);
    if (!action) throw new Error(`fake hawkBit: target ${this.controllerId} has no action ${actionId}`);
    return action;
  }

  setMaintenanceWindow(actionId: string, window: 'available' | 'unavailable'): void {
    this.action(actionId).maintenanceWindow = window;
  }

  /** Turns a soft action into a forced one (as the management API's forceType). */
  force(actionId: string): void {
    this.action(actionId).type = 'forced';
  }

  /** The operator cancels the action: the base now offers `cancelAction` until the device answers. */
  cancel(actionId: string): void {
    const action = this.action(actionId);
    if (action.active) action.canceling = true;
  }

  requestAttributes(): void {
    this.attributesRequested = true;
  }

  /** The action the base resource offers: the oldest active one. */
  get activeAction(): FakeAction | undefined {
    return this.actions.find((a) => a.active);
  }

  /** The last successfully finished update (installedBase). */
  get installedAction(): FakeAction | undefined {
    return this.actions.filter((a) => a.status === 'finished' && a.type !== 'downloadonly').at(-1);
  }

  handle(method: string, path: readonly string[], query: URLSearchParams, body: unknown): Reply {
    const [resource, id, sub, extra] = path;
    const key = `${method} ${resource ?? ''}${id === undefined ? '' : '/:id'}${sub === undefined ? '' : `/${sub}`}${extra === undefined ? '' : '/…'}`;
    const history = Number(query.get('actionHistory') ?? 0);
    switch (key) {
      case 'GET ':
        return { status: 200, json: this.#base() };
      case 'GET deploymentBase/:id':
        return this.#deployment(id!, 'deployment', (a) => !a.awaitingConfirmation && !a.canceling, history);
      case 'POST deploymentBase/:id/feedback':
        return this.#deploymentFeedback(id!, body);
      case 'GET cancelAction/:id':
        return this.#withAction(id!, (a) => (a.canceling ? { status: 200, json: { id: a.id, cancelAction: { stopId: a.id } } } : notFound));
      case 'POST cancelAction/:id/feedback':
        return this.#cancelFeedback(id!, body);
      case 'PUT configData':
        return this.#configData(body);
      case 'GET confirmationBase':
        return { status: 200, json: this.#confirmationBase() };
      case 'POST confirmationBase/:id':
        return this.#autoConfirm(id!, body);
      case 'GET confirmationBase/:id':
        return this.#deployment(id!, 'confirmation', (a) => a.awaitingConfirmation && !a.canceling, history);
      case 'POST confirmationBase/:id/feedback':
        return this.#confirmationFeedback(id!, body);
      case 'GET installedBase/:id':
        return this.#withAction(id!, (a) => (a.active ? notFound : { status: 200, json: { id: a.id, deployment: a.deploymentJson(this.#url), ...(history > 0 ? { actionHistory: a.historyJson(history) } : {}) } }));
      default:
        return notFound;
    }
  }

  get #url(): string {
    return this.host.baseUrl(this.controllerId);
  }

  #base(): Record<string, unknown> {
    const links: Record<string, { href: string }> = {};
    const active = this.activeAction;
    // A cancel moves hawkBit's action out of WAIT_FOR_CONFIRMATION into CANCELING: the cancel link wins.
    if (active?.canceling) links.cancelAction = { href: `${this.#url}/cancelAction/${active.id}` };
    else if (active?.awaitingConfirmation) links.confirmationBase = { href: `${this.#url}/confirmationBase/${active.id}?c=${active.etagParameter}` };
    else if (active) links.deploymentBase = { href: `${this.#url}/deploymentBase/${active.id}?c=${active.etagParameter}` };
    const installed = this.installedAction;
    if (installed) links.installedBase = { href: `${this.#url}/installedBase/${installed.id}` };
    if (this.attributesRequested) links.configData = { href: `${this.#url}/configData` };
    return { config: { polling: { sleep: this.host.pollingSleep() } }, _links: links };
  }

  #withAction(id: string, then: (action: FakeAction) => Reply): Reply {
    const action = this.actions.find((a) => a.id === id);
    return action ? then(action) : notFound;
  }

  #deployment(id: string, key: 'deployment' | 'confirmation', offered: (a: FakeAction) => boolean, history: number): Reply {
    return this.#withAction(id, (a) =>
      a.active && offered(a)
        ? { status: 200, json: { id: a.id, [key]: a.deploymentJson(this.#url), ...(history > 0 ? { actionHistory: a.historyJson(history) } : {}) } }
        : notFound,
    );
  }

  #readStatus(body: unknown): { execution: string; finished: string; details: string[] } | Reply {
    const status = (body as { status?: { execution?: unknown; result?: { finished?: unknown }; details?: unknown } } | null)?.status;
    const execution = status?.execution;
    const finished = status?.result?.finished;
    if (typeof execution !== 'string' || !EXECUTIONS.includes(execution)) return badRequest('status.execution invalid');
    if (typeof finished !== 'string' || !FINISHED.includes(finished)) return badRequest('status.result.finished invalid');
    const details = status?.details ?? [];
    if (!Array.isArray(details) || details.some((d) => typeof d !== 'string')) return badRequest('status.details invalid');
    // hawkBit stores each detail in 512-character pieces; more than 50 pieces is over quota.
    const pieces = (details as string[]).reduce((n, d) => n + Math.max(1, Math.ceil(d.length / 512)), 0);
    if (pieces > 50) return { status: this.host.quotaStatus, json: { errorCode: QUOTA, message: 'too many messages' } };
    return { execution, finished, details: details as string[] };
  }

  #record(action: FakeAction, kind: FeedbackKind, body: unknown, details: readonly string[] = []): void {
    action.feedback.push(body);
    action.messages.push(...details);
    this.feedback.push({ actionId: action.id, kind, body });
  }

  #deploymentFeedback(id: string, body: unknown): Reply {
    return this.#withAction(id, (action) => {
      if (action.awaitingConfirmation) return notFound;
      if (!action.active) return { status: 410 };
      const status = this.#readStatus(body);
      if ('status' in status) return status;
      const final = status.execution === 'closed' || (status.execution === 'downloaded' && action.type === 'downloadonly') || status.execution === 'canceled';
      if (!final && ++action.statusEntries > this.host.maxStatusEntries) {
        return { status: this.host.quotaStatus, json: { errorCode: QUOTA, message: 'too many status entries' } };
      }
      this.#record(action, 'deployment', body, status.details);
      if (status.execution === 'closed') {
        action.status = status.finished === 'failure' ? 'error' : 'finished';
        if (action.status === 'finished') this.attributesRequested = true;
      } else if (status.execution === 'canceled') {
        action.status = 'canceled';
      } else if (final) {
        action.status = 'finished';
      }
      return { status: 200 };
    });
  }

  #cancelFeedback(id: string, body: unknown): Reply {
    return this.#withAction(id, (action) => {
      const status = this.#readStatus(body);
      if ('status' in status) return status;
      this.#record(action, 'cancel', body, status.details);
      if (status.execution === 'closed') {
        action.status = status.finished === 'failure' ? 'error' : 'canceled';
        action.canceling = false;
      } else if (status.execution === 'rejected') {
        action.canceling = false;
      }
      return { status: 200 };
    });
  }

  #confirmationFeedback(id: string, body: unknown): Reply {
    return this.#withAction(id, (action) => {
      if (!action.active) return { status: 410 };
      if (!action.awaitingConfirmation) return notFound;
      const decision = (body as { confirmation?: unknown } | null)?.confirmation;
      if (decision !== 'confirmed' && decision !== 'denied') return badRequest('confirmation invalid');
      const details = (body as { details?: unknown }).details;
      this.#record(action, 'confirmation', body, Array.isArray(details) ? details.filter((d): d is string => typeof d === 'string') : []);
      if (decision === 'confirmed') action.awaitingConfirmation = false;
      return { status: 200 };
    });
  }

  #configData(body: unknown): Reply {
    const { data, mode = 'merge' } = (body ?? {}) as { data?: unknown; mode?: unknown };
    if (typeof data !== 'object' || data === null || Object.keys(data).length === 0) return badRequest('data must not be empty');
    const entries = Object.entries(data as Record<string, unknown>);
    if (entries.some(([k, v]) => typeof v !== 'string' || k.length > 128 || v.length > 128)) return badRequest('attribute too long');
    const next = mode === 'replace' ? {} : { ...this.attributes };
    if (mode === 'remove') for (const [k] of entries) delete next[k];
    else if (mode === 'merge' || mode === 'replace') Object.assign(next, data);
    else return badRequest('mode invalid');
    if (Object.keys(next).length > 100) return { status: this.host.quotaStatus, json: { errorCode: QUOTA, message: 'too many attributes' } };
    this.attributes = next as Record<string, string>;
    this.attributesRequested = false;
    return { status: 200 };
  }

  #confirmationBase(): Record<string, unknown> {
    const links: Record<string, { href: string }> = {};
    links[this.autoConfirm.active ? 'deactivateAutoConfirm' : 'activateAutoConfirm'] = {
      href: `${this.#url}/confirmationBase/${this.autoConfirm.active ? 'deactivateAutoConfirm' : 'activateAutoConfirm'}`,
    };
    const active = this.activeAction;
    if (active?.awaitingConfirmation) links.confirmationBase = { href: `${this.#url}/confirmationBase/${active.id}?c=${active.etagParameter}` };
    return { autoConfirm: { ...this.autoConfirm }, _links: links };
  }

  #autoConfirm(which: string, body: unknown): Reply {
    if (which === 'activateAutoConfirm') {
      const { initiator, remark } = (body ?? {}) as { initiator?: string; remark?: string };
      this.autoConfirm = { active: true, activatedAt: Date.now(), ...(initiator ? { initiator } : {}), ...(remark ? { remark } : {}) };
      for (const action of this.actions) if (action.active) action.awaitingConfirmation = false;
      return { status: 200 };
    }
    if (which === 'deactivateAutoConfirm') {
      this.autoConfirm = { active: false };
      return { status: 200 };
    }
    return notFound;
  }
}
