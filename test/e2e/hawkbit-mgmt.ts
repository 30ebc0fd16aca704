/**
 * Typed client of hawkBit's management API (`/rest/v1`, basic auth) for the end-to-end tests: tenant
 * configs, targets, software modules and artifacts, distribution sets, assignments, actions.
 * Every version difference is absorbed here (see hawkbit-mgmt-types.ts); tests see one shape.
 */
import axios from 'axios';
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse, Method } from 'axios';
import { HawkbitRaucError, isErrorNamed } from '../../src/lib/errors.js';
import { delay } from '../../src/lib/abort.js';
import {
  firstCreatedId,
  isJsonObject,
  normaliseAction,
  normaliseActionStatus,
  normaliseArtifact,
} from './hawkbit-mgmt-types.js';
import type { AssignOptions, MgmtAction, MgmtActionStatus, UploadedArtifact } from './hawkbit-mgmt-types.js';

export class MgmtApiError extends HawkbitRaucError {
  override readonly name = 'MgmtApiError';
  readonly code = 'E_MGMT_API';

  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`hawkBit management API ${method} ${path} answered ${status}: ${JSON.stringify(body)}`);
  }
}

export function isMgmtApiError(value: unknown): value is MgmtApiError {
  return isErrorNamed(value, 'MgmtApiError');
}

/**
 * One request, repeated while hawkBit's DoS filter answers 429 (it sends no Retry-After; its count is
 * per second, so a second's wait clears it). Bounded: a server that keeps refusing fails the test.
 */
export async function requestPastDosFilter(http: AxiosInstance, config: AxiosRequestConfig): Promise<AxiosResponse> {
  for (let attempt = 1; ; attempt++) {
    const response = await http.request(config);
    if (response.status !== 429 || attempt >= 60) return response;
    await delay(1000, config.signal instanceof AbortSignal ? { signal: config.signal } : {});
  }
}

export interface HawkbitMgmtOptions {
  /** Server root, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  readonly timeoutMs?: number;
}

interface Opts {
  readonly signal?: AbortSignal;
}

export class HawkbitMgmt {
  readonly #http: AxiosInstance;

  constructor(options: HawkbitMgmtOptions) {
    this.#http = axios.create({
      baseURL: `${options.url.replace(/\/+$/, '')}/rest/v1`,
      auth: { username: options.user ?? 'admin', password: options.password ?? 'admin' },
      timeout: options.timeoutMs ?? 60_000,
      validateStatus: () => true,
    });
  }

  /** One call; any status outside `expected` becomes a MgmtApiError carrying the server's body. */
  async #call(method: Method, path: string, expected: readonly number[], opts: Opts & { data?: unknown } = {}): Promise<AxiosResponse> {
    const response = await requestPastDosFilter(this.#http, { method, url: path, data: opts.data, signal: opts.signal });
    if (!expected.includes(response.status)) {
      throw new MgmtApiError(method.toUpperCase(), path, response.status, response.data);
    }
    return response;
  }

  /** `PUT system/configs/{key}` (200 up to 0.9, 204 from 0.10). */
  async setConfig(key: string, value: string | number | boolean, opts: Opts = {}): Promise<void> {
    await this.#call('put', `system/configs/${encodeURIComponent(key)}`, [200, 204], { ...opts, data: { value } });
  }

  enableTargetToken(opts: Opts = {}): Promise<void> {
    return this.setConfig('authentication.targettoken.enabled', true, opts);
  }

  async enableGatewayToken(key: string, opts: Opts = {}): Promise<void> {
    await this.setConfig('authentication.gatewaytoken.enabled', true, opts);
    await this.setConfig('authentication.gatewaytoken.key', key, opts);
  }

  /** `HH:mm:ss`; below 00:00:30 only when the server runs with a lower `minPollingTime`. */
  setPollingTime(time: string, opts: Opts = {}): Promise<void> {
    return this.setConfig('pollingTime', time, opts);
  }

  /** The user-confirmation flow (servers newer than 0.3.0M7; older ones answer 400 configKeyInvalid). */
  setConfirmationFlow(enabled: boolean, opts: Opts = {}): Promise<void> {
    return this.setConfig('user.confirmation.flow.enabled', enabled, opts);
  }

  async createTarget(target: { controllerId: string; securityToken: string; name?: string }, opts: Opts = {}): Promise<void> {
    const body = [{ controllerId: target.controllerId, name: target.name ?? target.controllerId, securityToken: target.securityToken }];
    await this.#call('post', 'targets', [201], { ...opts, data: body });
  }

  async createSoftwareModule(module: { name: string; version: string; type?: string }, opts: Opts = {}): Promise<number> {
    const body = [{ name: module.name, version: module.version, type: module.type ?? 'os' }];
    const response = await this.#call('post', 'softwaremodules', [201], { ...opts, data: body });
    return firstCreatedId(response.data, 'software module');
  }

  /** Software-module metadata (`targetVisible` entries reach the device in the deployment's chunk). */
  async setSoftwareModuleMetadata(moduleId: number, entries: readonly { key: string; value: string; targetVisible?: boolean }[], opts: Opts = {}): Promise<void> {
    const body = entries.map((entry) => ({ key: entry.key, value: entry.value, targetVisible: entry.targetVisible ?? true }));
    await this.#call('post', `softwaremodules/${moduleId}/metadata`, [201], { ...opts, data: body });
  }

  /** Multipart upload, part `file`. */
  async uploadArtifact(moduleId: number, file: { filename: string; content: Uint8Array }, opts: Opts = {}): Promise<UploadedArtifact> {
    const form = new FormData();
    form.append('file', new Blob([file.content]), file.filename);
    const response = await this.#call('post', `softwaremodules/${moduleId}/artifacts`, [201], { ...opts, data: form });
    return normaliseArtifact(response.data);
  }

  async createDistributionSet(set: { name: string; version: string; moduleIds: readonly number[]; type?: string }, opts: Opts = {}): Promise<number> {
    const body = [{ name: set.name, version: set.version, type: set.type ?? 'os', modules: set.moduleIds.map((id) => ({ id })) }];
    const response = await this.#call('post', 'distributionsets', [201], { ...opts, data: body });
    return firstCreatedId(response.data, 'distribution set');
  }

  /** Assigns a distribution set to one target; returns the new action's id. */
  async assign(distributionSetId: number, controllerId: string, options: AssignOptions, opts: Opts = {}): Promise<number> {
    if (options.type === 'timeforced' && options.forceTime === undefined) {
      throw new TypeError('a timeforced assignment needs forceTime');
    }
    const assignment: Record<string, unknown> = { id: controllerId, type: options.type };
    if (options.forceTime !== undefined) assignment.forcetime = options.forceTime;
    if (options.maintenanceWindow !== undefined) assignment.maintenanceWindow = options.maintenanceWindow;
    if (options.confirmationRequired !== undefined) assignment.confirmationRequired = options.confirmationRequired;
    const path = `distributionsets/${distributionSetId}/assignedTargets`;
    const response = await this.#call('post', path, [200, 201], { ...opts, data: [assignment] });
    const actions: unknown = isJsonObject(response.data) ? response.data.assignedActions : undefined;
    const first: unknown = Array.isArray(actions) ? actions[0] : undefined;
    if (isJsonObject(first) && typeof first.id === 'number') return first.id;
    if (Array.isArray(actions) || !isJsonObject(response.data) || response.data.assigned !== 1) {
      throw new MgmtApiError('POST', path, response.status, response.data);
    }
    // Servers up to 0.3.0M1 only count the assignments: the new action is the target's newest.
    const newest = (await this.#actionIds(controllerId, opts)).at(-1);
    if (newest === undefined) throw new MgmtApiError('POST', path, response.status, response.data);
    return newest;
  }

  /** Cancels an action (`force` ends it at once, without asking the device). */
  async cancelAction(controllerId: string, actionId: number, options: { force?: boolean } & Opts = {}): Promise<void> {
    const query = options.force === true ? '?force=true' : '';
    await this.#call('delete', `targets/${encodeURIComponent(controllerId)}/actions/${actionId}${query}`, [200, 204], options);
  }

  /** Turns a soft action into a forced one. */
  async forceAction(controllerId: string, actionId: number, opts: Opts = {}): Promise<void> {
    await this.#call('put', `targets/${encodeURIComponent(controllerId)}/actions/${actionId}`, [200], { ...opts, data: { forceType: 'forced' } });
  }

  /** Status history, newest first. */
  async getActionStatus(controllerId: string, actionId: number, opts: Opts = {}): Promise<MgmtActionStatus[]> {
    const path = `targets/${encodeURIComponent(controllerId)}/actions/${actionId}/status?sort=id:DESC&limit=500`;
    const response = await this.#call('get', path, [200], opts);
    const content: unknown = isJsonObject(response.data) ? response.data.content : undefined;
    if (!Array.isArray(content)) throw new MgmtApiError('GET', path, response.status, response.data);
    return content.map(normaliseActionStatus);
  }

  async getAction(controllerId: string, actionId: number, opts: Opts = {}): Promise<MgmtAction> {
    const response = await this.#call('get', `targets/${encodeURIComponent(controllerId)}/actions/${actionId}`, [200], opts);
    const needsHistory = isJsonObject(response.data) && response.data.active === undefined && response.data.detailStatus === undefined;
    const newest = needsHistory ? (await this.getActionStatus(controllerId, actionId, opts))[0]?.type : undefined;
    return normaliseAction(response.data, newest);
  }

  /** All actions of a target (id order), normalised. */
  async getActions(controllerId: string, opts: Opts = {}): Promise<MgmtAction[]> {
    const ids = await this.#actionIds(controllerId, opts);
    return Promise.all(ids.map((id) => this.getAction(controllerId, id, opts)));
  }

  async #actionIds(controllerId: string, opts: Opts): Promise<number[]> {
    const path = `targets/${encodeURIComponent(controllerId)}/actions?sort=id:ASC&limit=100`;
    const response = await this.#call('get', path, [200], opts);
    const content: unknown = isJsonObject(response.data) ? response.data.content : undefined;
    if (!Array.isArray(content)) throw new MgmtApiError('GET', path, response.status, response.data);
    return content.flatMap((action) => (isJsonObject(action) && typeof action.id === 'number' ? [action.id] : []));
  }

  /** Polls an action until `done` holds (every 300 ms, at most `timeoutMs`); returns the last state. */
  async waitForAction(
    controllerId: string,
    actionId: number,
    done: (action: MgmtAction) => boolean,
    options: { timeoutMs?: number } & Opts = {},
  ): Promise<MgmtAction> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const action = await this.getAction(controllerId, actionId, options);
      if (done(action)) return action;
      if (Date.now() > deadline) {
        throw new Error(`action ${actionId} of ${controllerId} did not reach the awaited state; last: ${JSON.stringify(action)}`);
      }
      await delay(300, options);
    }
  }

  async getAttributes(controllerId: string, opts: Opts = {}): Promise<Record<string, string>> {
    const response = await this.#call('get', `targets/${encodeURIComponent(controllerId)}/attributes`, [200, 204], opts);
    const attributes: Record<string, string> = {};
    if (isJsonObject(response.data)) {
      for (const [key, value] of Object.entries(response.data)) {
        if (typeof value === 'string') attributes[key] = value;
      }
    }
    return attributes;
  }

  /** Asks the device to send its attributes again (the next poll offers `configData`). */
  async requestAttributes(controllerId: string, opts: Opts = {}): Promise<void> {
    await this.#call('put', `targets/${encodeURIComponent(controllerId)}`, [200], { ...opts, data: { requestAttributes: true } });
  }
}
