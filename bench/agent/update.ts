// A forced update through real RAUC, timed from the assignment on the server to the final feedback,
// with its phases taken from the requests the agent makes.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { RaucEnvironment } from '../../test/harness/rauc-environment.js';
import type { AgentProcess } from './agent-process.js';
import type { Fixture, TimedRequest } from './fixture.js';
import { sample } from './proc-stats.js';

export interface UpdateFigures {
  readonly result: string;
  /** Assignment → closed feedback, s. */
  readonly totalS: number;
  /** Assignment → the agent reads the deployment (waiting for the next poll), s. */
  readonly noticeS: number;
  /** First artifact request → `downloaded` feedback (download and verification), s. */
  readonly downloadS: number;
  /** `Installing … with RAUC` feedback → closed feedback, s. */
  readonly installS: number;
  /** CPU time of the agent over the update, s. */
  readonly cpuS: number;
  /** Peak RSS of the agent so far (VmHWM), MB. */
  readonly peakRssMb: number;
  /** The inactive slot holds exactly the image afterwards. */
  readonly slotVerified: boolean;
}

interface FeedbackStatus {
  readonly execution?: string;
  readonly result?: { readonly finished?: string };
  readonly details?: readonly string[];
}

function status(request: TimedRequest): FeedbackStatus {
  return ((request.body as { status?: FeedbackStatus } | undefined)?.status ?? {}) as FeedbackStatus;
}

export async function measureUpdate(
  fixture: Fixture,
  agent: AgentProcess,
  rauc: RaucEnvironment,
  bundle: { readonly bytes: Buffer; readonly imageSha256: string; readonly imageBytes: number; readonly version: string },
): Promise<UpdateFigures> {
  const before = await sample(agent.pid);
  const feedback = (predicate: (s: FeedbackStatus) => boolean) =>
    fixture.next((r) => r.method === 'POST' && /\/deploymentBase\/\d+\/feedback$/.test(r.path) && predicate(status(r)), 900_000);
  const optional = (waiting: Promise<TimedRequest>) => waiting.catch(() => undefined);
  const noticed = optional(fixture.next((r) => r.method === 'GET' && r.path.includes('/deploymentBase/'), 900_000));
  const downloadStarted = optional(fixture.next((r) => r.method === 'GET' && r.path.includes('/softwaremodules/'), 900_000));
  const downloaded = optional(feedback((s) => s.execution === 'downloaded'));
  const installing = optional(feedback((s) => s.execution === 'proceeding' && (s.details ?? []).some((d) => d.startsWith('Installing '))));
  const closed = feedback((s) => s.execution === 'closed');
  const crashed = agent.exited().then(() => Promise.reject(new Error(`the agent exited (${agent.exit}):\n${agent.output}`)));

  const pushedAt = performance.now();
  fixture.target.pushDeployment({
    type: 'forced',
    chunks: [{ part: 'os', name: 'rootfs', version: bundle.version, artifacts: [{ filename: 'update.raucb', content: bundle.bytes }] }],
  });
  const end = await Promise.race([closed, crashed]);
  const after = await sample(agent.pid);
  const at = async (waiting: Promise<TimedRequest | undefined>) => (await waiting)?.at ?? Number.NaN;
  return {
    result: status(end).result?.finished ?? 'unknown',
    totalS: (end.at - pushedAt) / 1000,
    noticeS: ((await at(noticed)) - pushedAt) / 1000,
    downloadS: ((await at(downloaded)) - (await at(downloadStarted))) / 1000,
    installS: (end.at - (await at(installing))) / 1000,
    cpuS: (after.cpuMs - before.cpuMs) / 1000,
    peakRssMb: after.peakRssMb,
    slotVerified: (await sha256Prefix(rauc.slotDevice('B'), bundle.imageBytes)) === bundle.imageSha256,
  };
}

/** SHA-256 of the first `length` bytes of a file. */
async function sha256Prefix(path: string, length: number): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1024 * 1024);
    for (let offset = 0; offset < length; ) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, length - offset), offset);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      offset += bytesRead;
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}
