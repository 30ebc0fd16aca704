/**
 * Shared set-up of the end-to-end tests: the server under test (started once per run by
 * scripts/test-e2e.sh, which exports HAWKBIT_URL and HAWKBIT_VERSION), the tenant configuration,
 * and provisioning of targets and distribution sets through the management API.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { HawkbitMgmt } from './hawkbit-mgmt.js';
import type { UploadedArtifact } from './hawkbit-mgmt-types.js';
import { RawDdi } from './ddi-http.js';
import { delay } from '../../src/lib/abort.js';

export interface E2eServer {
  readonly url: string;
  readonly version: string;
}

/** The server of this run; a clear error when the tests were started without one. */
export function e2eServer(): E2eServer {
  const url = process.env.HAWKBIT_URL;
  const version = process.env.HAWKBIT_VERSION;
  if (url === undefined || url === '' || version === undefined || version === '') {
    throw new Error('HAWKBIT_URL and HAWKBIT_VERSION are not set: run the end-to-end tests with `npm run test:e2e`');
  }
  return { url, version };
}

/**
 * Orders hawkBit versions (`0.2.4` < `0.3.0M1` < `0.3.0M7` < `0.3.0` < `1.0.0`): negative when `a` is
 * older than `b`. A milestone `M<n>` comes before the release of the same number.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (version: string): number[] => {
    const match = /^(\d+)\.(\d+)\.(\d+)(?:M(\d+))?$/.exec(version);
    if (match === null) throw new Error(`not a hawkBit version: ${version}`);
    const milestone = match[4] === undefined ? Number.MAX_SAFE_INTEGER : Number(match[4]);
    return [Number(match[1]), Number(match[2]), Number(match[3]), milestone];
  };
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < x.length; i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/** True when the server under test is `version` or newer. */
export function serverAtLeast(server: E2eServer, version: string): boolean {
  return compareVersions(server.version, version) >= 0;
}

/** Gateway token of the test tenant (a test value, not a secret). */
export const GATEWAY_TOKEN = 'e2e-gateway-token-0123456789abcdef';

/**
 * Tenant settings every e2e test relies on: target and gateway tokens on, 1 s polling. Idempotent;
 * each test file calls it once (ava runs files in separate processes).
 */
export async function prepareTenant(mgmt: HawkbitMgmt): Promise<void> {
  await mgmt.enableTargetToken();
  await mgmt.enableGatewayToken(GATEWAY_TOKEN);
  await mgmt.setPollingTime('00:00:01');
}

export interface Device {
  readonly controllerId: string;
  readonly token: string;
  /** DDI access with the target's own token. */
  readonly ddi: RawDdi;
}

/** Creates a target with a fresh security token; `name` makes the controller id readable in logs. */
export async function createDevice(server: E2eServer, mgmt: HawkbitMgmt, name: string): Promise<Device> {
  const controllerId = `${name}-${randomUUID().slice(0, 8)}`;
  const token = randomBytes(16).toString('hex');
  await mgmt.createTarget({ controllerId, securityToken: token });
  return { controllerId, token, ddi: new RawDdi({ url: server.url, controllerId, auth: { kind: 'TargetToken', token } }) };
}

export interface Release {
  readonly distributionSetId: number;
  readonly moduleId: number;
  readonly name: string;
  readonly version: string;
  readonly artifact: UploadedArtifact;
  readonly content: Buffer;
  readonly hashes: { readonly md5: string; readonly sha1: string; readonly sha256: string };
}

/**
 * Software module (type os) with one artifact in a distribution set: `content` (e.g. a RAUC bundle),
 * or `size` random bytes.
 */
export async function createRelease(
  mgmt: HawkbitMgmt,
  options: { size?: number; filename?: string; content?: Buffer; version?: string } = {},
): Promise<Release> {
  const name = `os-${randomUUID().slice(0, 8)}`;
  const version = options.version ?? '1.0.0';
  const content = options.content ?? randomBytes(options.size ?? 64 * 1024);
  const moduleId = await mgmt.createSoftwareModule({ name, version, type: 'os' });
  const artifact = await mgmt.uploadArtifact(moduleId, { filename: options.filename ?? 'update.raucb', content });
  const distributionSetId = await mgmt.createDistributionSet({ name, version, moduleIds: [moduleId] });
  const hash = (algorithm: string): string => createHash(algorithm).update(content).digest('hex');
  return { distributionSetId, moduleId, name, version, artifact, content, hashes: { md5: hash('md5'), sha1: hash('sha1'), sha256: hash('sha256') } };
}

/** Polls the device's base until a link named `name` appears (the server may need a moment). */
export async function waitForLink(device: Device, name: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const links = await device.ddi.links();
    const href = links[name];
    if (href !== undefined) return href;
    if (Date.now() > deadline) throw new Error(`no ${name} link for ${device.controllerId}; links: ${JSON.stringify(links)}`);
    await delay(250);
  }
}
