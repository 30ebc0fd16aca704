/**
 * The rollout part of hawkBit's management API for the fleet e2e tests: many targets at once, a
 * rollout split into groups with success and error conditions, its groups, their targets, start,
 * status. Field names as the server's MgmtRolloutRestRequestBody, MgmtRolloutResponseBody,
 * MgmtRolloutGroupResponseBody (statuses come lower case).
 */
import axios, { type AxiosInstance } from 'axios';
import { delay } from '../../src/lib/abort.js';
import { MgmtApiError, requestPastDosFilter } from './hawkbit-mgmt.js';
import { isJsonObject } from './hawkbit-mgmt-types.js';

export interface RolloutPlan {
  readonly name: string;
  readonly distributionSetId: number;
  readonly targetFilterQuery: string;
  readonly amountGroups: number;
  /** Percentage of a group's targets that must have finished before the next group starts. */
  readonly successThreshold: number;
  /** Percentage of a group's targets in error at which the rollout is paused. */
  readonly errorThreshold: number;
}

export interface RolloutState {
  readonly id: number;
  /** `creating`, `ready`, `starting`, `running`, `paused`, `finished`, … */
  readonly status: string;
  /** Targets per action status (`finished`, `error`, `running`, `scheduled`, `notstarted`, …). */
  readonly totalTargetsPerStatus: Readonly<Record<string, number>>;
}

export interface RolloutGroupState extends RolloutState {
  readonly name: string;
  readonly totalTargets: number;
}

export class HawkbitRollouts {
  readonly #http: AxiosInstance;

  constructor(url: string) {
    this.#http = axios.create({ baseURL: `${url.replace(/\/+$/, '')}/rest/v1`, auth: { username: 'admin', password: 'admin' }, timeout: 120_000, validateStatus: () => true });
  }

  async #call(method: 'get' | 'post', path: string, expected: readonly number[], data?: unknown): Promise<unknown> {
    const response = await requestPastDosFilter(this.#http, { method, url: path, data });
    if (!expected.includes(response.status)) throw new MgmtApiError(method.toUpperCase(), path, response.status, response.data);
    return response.data;
  }

  /** Creates targets in batches of 100 (no own token: the gateway token serves them). */
  async createTargets(controllerIds: readonly string[]): Promise<void> {
    for (let start = 0; start < controllerIds.length; start += 100) {
      const batch = controllerIds.slice(start, start + 100).map((id) => ({ controllerId: id, name: id }));
      await this.#call('post', 'targets', [201], batch);
    }
  }

  async createRollout(plan: RolloutPlan): Promise<number> {
    const body = {
      name: plan.name,
      distributionSetId: plan.distributionSetId,
      targetFilterQuery: plan.targetFilterQuery,
      amountGroups: plan.amountGroups,
      type: 'forced',
      successCondition: { condition: 'THRESHOLD', expression: String(plan.successThreshold) },
      successAction: { action: 'NEXTGROUP', expression: '' },
      errorCondition: { condition: 'THRESHOLD', expression: String(plan.errorThreshold) },
      errorAction: { action: 'PAUSE', expression: '' },
    };
    const created = await this.#call('post', 'rollouts', [201], body);
    if (!isJsonObject(created) || typeof created.id !== 'number') throw new MgmtApiError('POST', 'rollouts', 201, created);
    return created.id;
  }

  async rollout(id: number): Promise<RolloutState> {
    return stateOf(await this.#call('get', `rollouts/${id}`, [200]));
  }

  /** The groups in order, each read on its own (the list does not carry the counts per status). */
  async groups(id: number): Promise<RolloutGroupState[]> {
    const data = await this.#call('get', `rollouts/${id}/deploygroups?limit=100&sort=id:ASC`, [200]);
    const content = isJsonObject(data) && Array.isArray(data.content) ? data.content : [];
    return Promise.all(
      content.map(async (entry) => {
        const group = await this.#call('get', `rollouts/${id}/deploygroups/${stateOf(entry).id}`, [200]);
        const record = group as Record<string, unknown>;
        return { ...stateOf(group), name: String(record.name), totalTargets: Number(record.totalTargets ?? 0) };
      }),
    );
  }

  /** The controller ids of a group's targets. */
  async groupTargets(id: number, groupId: number): Promise<string[]> {
    const data = await this.#call('get', `rollouts/${id}/deploygroups/${groupId}/targets?limit=500`, [200]);
    const content = isJsonObject(data) && Array.isArray(data.content) ? data.content : [];
    return content.map((target) => String((target as Record<string, unknown>).controllerId));
  }

  async start(id: number): Promise<void> {
    await this.#call('post', `rollouts/${id}/start`, [200, 204]);
  }

  /** Polls the rollout until `done` holds (every 500 ms, at most `timeoutMs`). */
  async waitFor(id: number, done: (state: RolloutState) => boolean, timeoutMs: number): Promise<RolloutState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.rollout(id);
      if (done(state)) return state;
      if (Date.now() > deadline) throw new Error(`rollout ${id} did not reach the awaited state in ${timeoutMs / 1000} s; last: ${JSON.stringify(state)}`);
      await delay(500);
    }
  }
}

function stateOf(data: unknown): RolloutState {
  if (!isJsonObject(data) || typeof data.id !== 'number') throw new Error(`not a rollout: ${JSON.stringify(data)}`);
  const totals = isJsonObject(data.totalTargetsPerStatus) ? data.totalTargetsPerStatus : {};
  return {
    id: data.id,
    status: String(data.status).toLowerCase(),
    totalTargetsPerStatus: Object.fromEntries(Object.entries(totals).map(([key, value]) => [key.toLowerCase(), Number(value)])),
  };
}
