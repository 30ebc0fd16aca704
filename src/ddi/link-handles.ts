import type { ConfirmationFeedback, Feedback } from './feedback-types.js';
import { buildConfirmation, confirmationBody, feedbackBody, redactDetails } from './feedback.js';
import type { CallOptions, CancelHandle, ConfigDataHandle, ConfirmationHandle, DeploymentHandle, InstalledHandle } from './handles.js';
import type { HttpExchange } from './http-exchange.js';
import { validateAttributes } from './attributes.js';
import { JsonReader } from './json-reader.js';
import type { CancelAction, ConfigDataMode, ConfirmationDecision, Deployment } from './model.js';
import { actionIdFromHref, readCancel, readDeploymentBase } from './wire.js';

/** What the handles share with the client that made them. */
export interface HandleContext {
  readonly exchange: HttpExchange;
  readonly baseUrl: string;
  /** Epoch ms for feedback `timestamp`, or undefined when the clock is not known to be right. */
  readonly timestamp: () => number | undefined;
  /** The redaction step applied to every feedback detail before it is sent. */
  readonly redact: (text: string) => string;
}

/** The href with `actionHistory=N` added (0 < N ≤ 100); every other query parameter (`c`) is kept. */
function withHistory(href: string, actionHistory: number | undefined): string {
  if (actionHistory === undefined || actionHistory <= 0) return href;
  const url = new URL(href);
  url.searchParams.set('actionHistory', String(Math.min(100, Math.floor(actionHistory))));
  return url.toString();
}

/** `…/deploymentBase/17?c=…` → `…/deploymentBase/17/feedback`. */
function feedbackUrl(href: string): string {
  const url = new URL(href);
  url.search = '';
  url.hash = '';
  url.pathname = `${url.pathname.replace(/\/$/, '')}/feedback`;
  return url.toString();
}

async function getJson(context: HandleContext, url: string, what: string, options: CallOptions, actionId?: string): Promise<JsonReader> {
  const response = await context.exchange.send({ method: 'GET', url, signal: options.signal, ...(actionId === undefined ? {} : { actionId }) });
  return JsonReader.parse(response.text, what);
}

type FetchOptions = CallOptions & { actionHistory?: number };

/** A fetch function for a deployment-shaped resource (deploymentBase, confirmationBase/{id}, installedBase). */
function deploymentFetcher(context: HandleContext, href: string, actionId: string, key: 'deployment' | 'confirmation', what: string) {
  return async (options: FetchOptions = {}): Promise<Deployment> =>
    readDeploymentBase(await getJson(context, withHistory(href, options.actionHistory), `${what} ${actionId}`, options, actionId), key, context.baseUrl);
}

async function postFeedback(context: HandleContext, href: string, actionId: string, feedback: Feedback, options: CallOptions): Promise<void> {
  const body = feedbackBody({ ...feedback, details: redactDetails(feedback.details, context.redact) }, context.timestamp(), actionId);
  await context.exchange.send({ method: 'POST', url: feedbackUrl(href), body, actionId, signal: options.signal });
}

export function deploymentHandle(context: HandleContext, href: string): DeploymentHandle {
  const actionId = actionIdFromHref(href, 'deploymentBase', '_links.deploymentBase.href');
  return Object.freeze({
    actionId,
    href,
    fetch: deploymentFetcher(context, href, actionId, 'deployment', 'deployment'),
    feedback: (feedback: Feedback, options: CallOptions = {}) => postFeedback(context, href, actionId, feedback, options),
  });
}

export function cancelHandle(context: HandleContext, href: string): CancelHandle {
  const actionId = actionIdFromHref(href, 'cancelAction', '_links.cancelAction.href');
  return Object.freeze({
    actionId,
    href,
    fetch: async (options: CallOptions = {}): Promise<CancelAction> => readCancel(await getJson(context, href, `cancel action ${actionId}`, options, actionId)),
    feedback: (feedback: Feedback, options: CallOptions = {}) => postFeedback(context, href, actionId, feedback, options),
  });
}

export function configDataHandle(context: HandleContext, href: string): ConfigDataHandle {
  return Object.freeze({
    href,
    send: async (attributes: Readonly<Record<string, string>>, mode: ConfigDataMode = 'merge', options: CallOptions = {}): Promise<void> => {
      validateAttributes(attributes);
      await context.exchange.send({ method: 'PUT', url: href, body: configDataBody(attributes, mode), signal: options.signal });
    },
  });
}

export function confirmationHandle(context: HandleContext, href: string): ConfirmationHandle {
  const actionId = actionIdFromHref(href, 'confirmationBase', '_links.confirmationBase.href');
  return Object.freeze({
    actionId,
    href,
    fetch: deploymentFetcher(context, href, actionId, 'confirmation', 'confirmation'),
    respond: async (decision: ConfirmationDecision, details: { code?: number; details?: readonly string[] } = {}, options: CallOptions = {}): Promise<void> => {
      const built: ConfirmationFeedback = buildConfirmation(decision, details);
      const feedback: ConfirmationFeedback = { ...built, details: redactDetails(built.details, context.redact) };
      await context.exchange.send({ method: 'POST', url: feedbackUrl(href), body: confirmationBody(feedback), actionId, signal: options.signal });
    },
  });
}

export function installedHandle(context: HandleContext, href: string): InstalledHandle {
  const actionId = actionIdFromHref(href, 'installedBase', '_links.installedBase.href');
  return Object.freeze({
    actionId,
    href,
    fetch: deploymentFetcher(context, href, actionId, 'deployment', 'installed action'),
  });
}

/**
 * `{ mode, data }` as hawkBit 0.8+ reads it, plus the `status` that servers up to 0.3 require (400
 * without it) and newer ones ignore.
 */
export function configDataBody(attributes: Readonly<Record<string, string>>, mode: ConfigDataMode): Record<string, unknown> {
  return { mode, data: { ...attributes }, status: { execution: 'closed', result: { finished: 'success' } } };
}
