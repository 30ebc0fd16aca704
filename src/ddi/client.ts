import { Redactor, silentLogger, type Logger } from '../log/index.js';
import { RETRY_POLICIES, type RetryPolicy, type Transport } from '../net/index.js';
import { packageVersion } from '../version.js';
import type { CallOptions, DdiApi, PollResult } from './handles.js';
import { HttpExchange } from './http-exchange.js';
import { JsonReader } from './json-reader.js';
import type { ConfigDataHandle } from './handles.js';
import { cancelHandle, configDataHandle, confirmationHandle, deploymentHandle, installedHandle, type HandleContext } from './link-handles.js';
import type { AutoConfirmState } from './model.js';
import { parsePollingSleep } from './polling-sleep.js';
import { readAutoConfirm, readControllerBase } from './wire.js';

/** How the device authenticates to the DDI API: a target or gateway security token, or a client certificate (mTLS). */
export type DdiAuthentication =
  | { readonly kind: 'target-token'; readonly token: string }
  | { readonly kind: 'gateway-token'; readonly token: string }
  | { readonly kind: 'client-certificate' };

export interface DdiClientOptions {
  /** `host[:port][/prefix]`, as `hawkbit_server`. */
  readonly server: string;
  /** https (true) or http. */
  readonly ssl: boolean;
  readonly tenant: string;
  readonly controllerId: string;
  readonly auth: DdiAuthentication;
  /** Agents with TLS/proxy settings (src/net); Node's defaults when absent. */
  readonly transport?: Pick<Transport, 'httpAgent' | 'httpsAgent'>;
  readonly log?: Logger;
  readonly userAgent?: string;
  /** Whole-request timeout in ms (config `timeout`); 0 = none. Default 60 s. */
  readonly timeoutMs?: number;
  /** Largest JSON answer accepted; default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Replaces fields of the `ddiCall` retry policy (src/net RETRY_POLICIES). */
  readonly retry?: Partial<RetryPolicy>;
  /** Send Authorization on artifact downloads (config `send_download_authentication`); default true. */
  readonly sendDownloadAuthentication?: boolean;
  /** Feedback `timestamp`: return epoch ms only when the clock is known to be synchronised. Default: omitted. */
  readonly timestamp?: () => number | undefined;
  /** Applied to every feedback detail sent; default: one that knows this client's token. */
  readonly redactor?: Redactor;
}

const CREDENTIAL_HINTS: Readonly<Record<DdiAuthentication['kind'], string>> = {
  'target-token': "check auth_token (the target's security token in hawkBit) and that target token authentication is enabled for the tenant",
  'gateway-token': "check gateway_token (the tenant's gateway security token) and that gateway token authentication is enabled for the tenant",
  'client-certificate': 'check ssl_key/ssl_cert and that the reverse proxy in front of hawkBit accepts this client certificate',
};

/** The hawkBit DDI client: polls the controller base and hands out typed handles for its links. */
export class DdiClient implements DdiApi {
  readonly baseUrl: string;
  readonly #context: HandleContext;
  readonly #authorization: string | undefined;
  readonly #sendDownloadAuthentication: boolean;
  #etag: string | undefined;
  #last: PollResult | undefined;

  constructor(options: DdiClientOptions) {
    const scheme = options.ssl ? 'https' : 'http';
    const server = options.server.replace(/\/+$/, '');
    this.baseUrl = `${scheme}://${server}/${encodeURIComponent(options.tenant)}/controller/v1/${encodeURIComponent(options.controllerId)}`;
    const auth = options.auth;
    this.#authorization = auth.kind === 'target-token' ? `TargetToken ${auth.token}` : auth.kind === 'gateway-token' ? `GatewayToken ${auth.token}` : undefined;
    this.#sendDownloadAuthentication = options.sendDownloadAuthentication ?? true;
    const exchange = new HttpExchange({
      transport: options.transport,
      authorization: this.#authorization,
      credentialHint: CREDENTIAL_HINTS[auth.kind],
      userAgent: options.userAgent ?? `hawkbit-rauc/${packageVersion()}`,
      timeoutMs: options.timeoutMs ?? 60_000,
      maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
      retry: { ...RETRY_POLICIES.ddiCall, ...options.retry },
      log: (options.log ?? silentLogger()).child({ component: 'ddi' }),
    });
    const redactor = options.redactor ?? new Redactor(auth.kind === 'client-certificate' ? [] : [auth.token]);
    this.#context = { exchange, baseUrl: this.baseUrl, timestamp: options.timestamp ?? (() => undefined), redact: (text) => redactor.text(text) };
  }

  /** GET the controller base. With an unchanged ETag (304) the previous handles come back, `notModified: true`. */
  async poll(options: CallOptions = {}): Promise<PollResult> {
    const conditional = this.#last !== undefined && this.#etag !== undefined;
    const response = await this.#context.exchange.send({
      method: 'GET',
      url: this.baseUrl,
      signal: options.signal,
      ...(conditional ? { ifNoneMatch: this.#etag } : {}),
    });
    if (response.status === 304 && this.#last !== undefined) return { ...this.#last, notModified: true };
    const base = readControllerBase(JsonReader.parse(response.text, 'controller base'), this.baseUrl);
    const context = this.#context;
    const { links } = base;
    const result: PollResult = Object.freeze({
      sleepMs: parsePollingSleep(base.sleep),
      notModified: false,
      ...(links.deploymentBase ? { deployment: deploymentHandle(context, links.deploymentBase) } : {}),
      ...(links.cancelAction ? { cancel: cancelHandle(context, links.cancelAction) } : {}),
      ...(links.configData ? { configData: configDataHandle(context, links.configData) } : {}),
      ...(links.confirmationBase ? { confirmation: confirmationHandle(context, links.confirmationBase) } : {}),
      ...(links.installedBase ? { installed: installedHandle(context, links.installedBase) } : {}),
    });
    this.#etag = response.etag;
    this.#last = result;
    return result;
  }

  async autoConfirmState(options: CallOptions = {}): Promise<AutoConfirmState> {
    const response = await this.#context.exchange.send({ method: 'GET', url: `${this.baseUrl}/confirmationBase`, signal: options.signal });
    return readAutoConfirm(JsonReader.parse(response.text, 'confirmation base'));
  }

  async activateAutoConfirm(details: { initiator?: string; remark?: string } = {}, options: CallOptions = {}): Promise<void> {
    const body: Record<string, string> = {};
    if (details.initiator !== undefined) body.initiator = details.initiator;
    if (details.remark !== undefined) body.remark = details.remark;
    await this.#context.exchange.send({ method: 'POST', url: `${this.baseUrl}/confirmationBase/activateAutoConfirm`, body, signal: options.signal });
  }

  async deactivateAutoConfirm(options: CallOptions = {}): Promise<void> {
    await this.#context.exchange.send({ method: 'POST', url: `${this.baseUrl}/confirmationBase/deactivateAutoConfirm`, signal: options.signal });
  }
  /** The controller's configData resource (`{base}/configData`), for attributes the server did not ask for. */
  configData(): ConfigDataHandle {
    return configDataHandle(this.#context, `${this.baseUrl}/configData`);
  }


  downloadHeaders(): Readonly<Record<string, string>> {
    const headers: Record<string, string> = {};
    if (this.#sendDownloadAuthentication && this.#authorization !== undefined) headers.Authorization = this.#authorization;
    return Object.freeze(headers);
  }
}
