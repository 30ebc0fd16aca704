/**
 * Typed client of goosebit's management API (`/api/v1`, bearer token from `POST /login`) for the
 * end-to-end tests: software upload, device registration and assignment, rollouts, the device list
 * and a device's log. Only the calls the tests need; goosebit 0.2.12 (scripts/goosebit-server.sh).
 */
import axios from 'axios';
import type { AxiosInstance, AxiosResponse, Method } from 'axios';
import { HawkbitRaucError } from '../../../src/lib/errors.js';

export class GoosebitApiError extends HawkbitRaucError {
  override readonly name = 'GoosebitApiError';
  readonly code = 'E_GOOSEBIT_API';

  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`goosebit ${method} ${path} answered ${status}: ${JSON.stringify(body)}`);
  }
}

/** goosebit's view of a device (`GET /api/v1/devices`), the fields the tests read. */
export interface GoosebitDevice {
  readonly id: string;
  readonly sw_version: string | null;
  /** `Unknown`, `Registered`, `Running`, `Error`, `Finished`. */
  readonly last_state: string;
  readonly update_mode: string;
  readonly force_update: boolean;
  readonly progress: number | null;
  readonly hardware: { readonly model: string; readonly revision: string } | null;
  readonly assigned_software: { readonly id: number; readonly version: string } | null;
}

export interface DeviceSettings {
  /** A software id (assigns it), or `latest`. */
  readonly software?: number | 'latest';
  /** The device's token (checked under device auth; at most 32 characters). */
  readonly authToken?: string;
  readonly forceUpdate?: boolean;
}

export class GoosebitMgmt {
  readonly #http: AxiosInstance;

  private constructor(http: AxiosInstance) {
    this.#http = http;
  }

  /** Logs in (`POST /login`, form fields) and keeps the bearer token for every later call. */
  static async login(url: string, user = 'admin@goosebit.test', password = 'admin'): Promise<GoosebitMgmt> {
    const base = url.replace(/\/+$/, '');
    const form = new URLSearchParams({ username: user, password });
    const response = await axios.post(`${base}/login`, form, { validateStatus: () => true, timeout: 30_000 });
    const token = (response.data as { access_token?: unknown } | undefined)?.access_token;
    if (response.status !== 200 || typeof token !== 'string') throw new GoosebitApiError('POST', '/login', response.status, response.data);
    return new GoosebitMgmt(axios.create({ baseURL: `${base}/api/v1`, headers: { Authorization: `Bearer ${token}` }, timeout: 60_000, validateStatus: () => true }));
  }

  async #call(method: Method, path: string, data?: unknown): Promise<AxiosResponse> {
    const response = await this.#http.request({ method, url: path, data });
    if (response.status !== 200) throw new GoosebitApiError(method.toUpperCase(), path, response.status, response.data);
    return response;
  }

  /** `PUT /software` (multipart `file`): goosebit reads version and compatible from the RAUC manifest. */
  async uploadSoftware(content: Buffer, filename: string): Promise<number> {
    const form = new FormData();
    form.append('file', new Blob([content]), filename);
    const response = await this.#call('put', '/software', form);
    const id = (response.data as { id?: unknown }).id;
    if (typeof id !== 'number') throw new GoosebitApiError('PUT', '/software', response.status, response.data);
    return id;
  }

  /** `PUT /devices`: creates the device if needed, then applies the settings given. */
  async putDevice(id: string, settings: DeviceSettings): Promise<void> {
    const body: Record<string, unknown> = { devices: [id] };
    if (settings.software !== undefined) body.software = String(settings.software);
    if (settings.authToken !== undefined) body.auth_token = settings.authToken;
    if (settings.forceUpdate !== undefined) body.force_update = settings.forceUpdate;
    await this.#call('put', '/devices', body);
  }

  /**
   * One device from `GET /devices` (goosebit's single-device GET answers 500 once software is
   * assigned, so the list is read); undefined when goosebit does not know it.
   */
  async device(id: string): Promise<GoosebitDevice | undefined> {
    const response = await this.#call('get', '/devices');
    const devices = (response.data as { devices: GoosebitDevice[] }).devices;
    return devices.find((device) => device.id === id);
  }

  /** `PUT /rollouts`: the software for every device of `feed` in rollout mode (goosebit's default mode and feed). */
  async createRollout(name: string, softwareId: number, feed = 'default'): Promise<number> {
    const response = await this.#call('put', '/rollouts', { name, feed, software_id: softwareId });
    const id = (response.data as { id?: unknown }).id;
    if (typeof id !== 'number') throw new GoosebitApiError('PUT', '/rollouts', response.status, response.data);
    return id;
  }

  /** goosebit's record of a rollout: how many devices reported success and failure for it. */
  async rollout(id: number): Promise<{ id: number; paused: boolean; success_count: number; failure_count: number } | undefined> {
    const response = await this.#call('get', '/rollouts');
    return (response.data as { rollouts: { id: number; paused: boolean; success_count: number; failure_count: number }[] }).rollouts.find((rollout) => rollout.id === id);
  }

  /** Every device goosebit knows. */
  async devices(): Promise<GoosebitDevice[]> {
    return ((await this.#call('get', '/devices')).data as { devices: GoosebitDevice[] }).devices;
  }

  /** The details of every feedback since the last `proceeding` began an installation, as goosebit keeps them. */
  async deviceLog(id: string): Promise<string> {
    const response = await this.#call('get', `/devices/${encodeURIComponent(id)}/log`);
    return (response.data as { log: string | null }).log ?? '';
  }
}
