import { STATUS_CODES } from '../../ddi/index.js';
import type { AgentDependencies } from '../context.js';
import type { PlannedArtifact } from '../deployment-plan.js';
import type { DeviceCompatible, DownloadDecision } from './decide.js';

/** A bundle still to download and the compatible its chunk's metadata names under the configured key. */
export interface AnnouncedCompatible {
  readonly filename: string;
  readonly label: string;
  readonly compatible: string;
}

/**
 * Pure: a bundle whose chunk metadata names another compatible than RAUC's refuses the action before
 * the first byte (code 2003, naming both strings); a matching one is recorded. Bundles without the key
 * are left to the check after the download (RAUC's InspectBundle/Info). RAUC's compatible unreadable:
 * a warning, the check after the download stays.
 */
export function decideMetadataCompatible(decision: DownloadDecision & { verdict: 'proceed' }, announced: readonly AnnouncedCompatible[], device: DeviceCompatible, key: string): DownloadDecision {
  if (announced.length === 0) return decision;
  if (device.kind === 'unreadable') {
    const text = `Compatible from the metadata '${key}' not checked before the download: RAUC's compatible could not be read (${device.reason})`;
    return { ...decision, record: [...decision.record, { warning: true, text }] };
  }
  const mismatches = announced.filter((bundle) => bundle.compatible !== device.compatible);
  if (mismatches.length > 0) {
    const texts = mismatches.map((bundle) => `${bundle.filename} (${bundle.label}) is for '${bundle.compatible}' (chunk metadata '${key}'), but this device is '${device.compatible}' (RAUC's compatible)`);
    return { verdict: 'refuse', code: STATUS_CODES.INCOMPATIBLE_BUNDLE, summary: `Incompatible bundle, nothing downloaded: ${texts.join('; ')}`, install: [], record: decision.record };
  }
  const notes = announced.map((bundle) => ({ warning: false, text: `${bundle.filename}: compatible '${bundle.compatible}' (chunk metadata '${key}') is this device's; downloading` }));
  return { ...decision, record: [...decision.record, ...notes] };
}

/** The bundles to download whose chunk names a compatible under compatible_metadata_key; RAUC is asked only when one does. */
export async function checkMetadataCompatible(
  deps: AgentDependencies,
  decision: DownloadDecision & { verdict: 'proceed' },
  kept: readonly PlannedArtifact[],
  readDevice: () => Promise<DeviceCompatible>,
): Promise<DownloadDecision> {
  const key = deps.config.compatibleMetadataKey;
  const announced: AnnouncedCompatible[] = [];
  for (const item of kept) {
    const entry = item.bundle ? item.metadata?.find((meta) => meta.key === key) : undefined;
    if (entry) announced.push({ filename: item.artifact.filename, label: `${item.chunk} ${item.version}`, compatible: entry.value });
  }
  if (announced.length === 0) return decision;
  return decideMetadataCompatible(decision, announced, await readDevice(), key);
}
