/**
 * The server's JSON (hawkBit's DdiControllerBase, DdiDeploymentBase, DdiConfirmationBaseAction, DdiCancel,
 * DdiConfirmationBase) read into domain types. Everything the server sends is validated here; unknown
 * fields are ignored, wrong types are a DdiProtocolError naming the field.
 */
import { DdiProtocolError } from './errors.js';
import type { JsonReader } from './json-reader.js';
import type { ActionHistory, Artifact, AutoConfirmState, CancelAction, Chunk, Deployment, HandlingType } from './model.js';

export const LINK_NAMES = ['deploymentBase', 'cancelAction', 'configData', 'confirmationBase', 'installedBase'] as const;
export type LinkName = (typeof LINK_NAMES)[number];

export interface ControllerBase {
  readonly sleep: string;
  readonly links: Partial<Record<LinkName, string>>;
}

const HANDLING: readonly HandlingType[] = ['skip', 'attempt', 'forced'];

export function readControllerBase(body: JsonReader, baseUrl: string): ControllerBase {
  const sleep = body.field('config').field('polling').field('sleep').string();
  return { sleep, links: readLinks(body.field('_links'), LINK_NAMES, baseUrl) };
}

/** `_links.{name}.href` for each wanted name present; hrefs are validated as http(s) URLs. */
export function readLinks<N extends string>(links: JsonReader, names: readonly N[], baseUrl: string): Partial<Record<N, string>> {
  const result: Partial<Record<N, string>> = {};
  if (!links.present) return result;
  links.object();
  for (const name of names) {
    const link = links.field(name);
    if (!link.present) continue;
    result[name] = readHref(link.field('href'), baseUrl);
  }
  return result;
}

function readHref(reader: JsonReader, baseUrl: string): string {
  const href = reader.string();
  let url: URL;
  try {
    url = new URL(href, baseUrl);
  } catch {
    return reader.fail('a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') reader.fail('an http(s) URL');
  // Absolute hrefs are followed exactly as given (the `c` query parameter is opaque).
  return /^https?:\/\//i.test(href) ? href : url.toString();
}

/** The action id in an href such as `…/deploymentBase/17?c=-2127183556`. */
export function actionIdFromHref(href: string, segment: string, field: string): string {
  const match = new RegExp(`/${segment}/([^/?#]+)`).exec(new URL(href).pathname);
  if (!match) throw new DdiProtocolError(field, `${field}: expected a link to ${segment}/{actionId}, got ${href}`);
  try {
    return decodeURIComponent(match[1]!);
  } catch (error) {
    throw new DdiProtocolError(field, `${field}: the action id in ${href} is not valid percent-encoding`, { cause: error });
  }
}

/** A deployment base (`key` = `deployment`) or a confirmation base action (`key` = `confirmation`). */
export function readDeploymentBase(body: JsonReader, key: 'deployment' | 'confirmation', baseUrl: string): Deployment {
  const id = body.field('id').id();
  const deployment = body.field(key);
  deployment.object();
  return {
    id,
    download: deployment.field('download').oneOf(HANDLING),
    update: deployment.field('update').oneOf(HANDLING),
    maintenanceWindow: deployment.field('maintenanceWindow').optional((r) => r.oneOf(['available', 'unavailable'] as const)),
    chunks: deployment.field('chunks').items().map((chunk) => readChunk(chunk, baseUrl)),
    actionHistory: body.field('actionHistory').optional(readActionHistory),
  };
}

function readChunk(chunk: JsonReader, baseUrl: string): Chunk {
  return {
    part: chunk.field('part').string(),
    name: chunk.field('name').string(),
    version: chunk.field('version').string(),
    encrypted: chunk.field('encrypted').optional((r) => r.boolean()) ?? false,
    metadata: (chunk.field('metadata').optional((r) => r.items()) ?? []).map((entry) => ({
      key: entry.field('key').string(),
      value: entry.field('value').optional((r) => r.string()) ?? '',
    })),
    artifacts: (chunk.field('artifacts').optional((r) => r.items()) ?? []).map((artifact) => readArtifact(artifact, baseUrl)),
  };
}

function readArtifact(artifact: JsonReader, baseUrl: string): Artifact {
  const hashes = artifact.field('hashes');
  const hash = (name: string) => (hashes.present ? hashes.field(name).optional((r) => r.string()) : undefined);
  const links = readLinks(artifact.field('_links'), ['download', 'download-http', 'md5sum', 'md5sum-http'] as const, baseUrl);
  return {
    filename: artifact.field('filename').string(),
    size: artifact.field('size').optional((r) => {
      const size = r.number();
      if (!Number.isSafeInteger(size) || size < 0) r.fail('a byte count (a whole number ≥ 0)');
      return size;
    }),
    hashes: dropUndefined({ md5: hash('md5'), sha1: hash('sha1'), sha256: hash('sha256') }),
    links: dropUndefined({
      download: links.download,
      downloadHttp: links['download-http'],
      md5sum: links.md5sum,
      md5sumHttp: links['md5sum-http'],
    }),
  };
}

function readActionHistory(history: JsonReader): ActionHistory {
  return {
    status: history.field('status').optional((r) => r.string()) ?? '',
    messages: (history.field('messages').optional((r) => r.items()) ?? []).map((m) => m.string()),
  };
}

export function readCancel(body: JsonReader): CancelAction {
  return { id: body.field('id').id(), stopId: body.field('cancelAction').field('stopId').id() };
}

export function readAutoConfirm(body: JsonReader): AutoConfirmState {
  const state = body.field('autoConfirm');
  return {
    active: state.field('active').boolean(),
    initiator: state.field('initiator').optional((r) => r.string()),
    remark: state.field('remark').optional((r) => r.string()),
    activatedAt: state.field('activatedAt').optional((r) => r.number()),
  };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
