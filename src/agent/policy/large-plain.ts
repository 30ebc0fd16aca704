import { stat } from 'node:fs/promises';
import { STATUS_CODES } from '../../ddi/index.js';
import { errorMessage } from '../../lib/errors.js';
import { hasLargePlainFix, parseRaucVersion, type RaucVersion } from '../../rauc/index.js';
import { runCommand } from '../command-runner.js';
import type { AgentDependencies } from '../context.js';
import { formatBytes } from '../format.js';
import type { BundleRef } from '../state.js';
import type { InspectedBundle, PolicyDecision } from './decide.js';

/** CVE-2026-34155: RAUC before 1.15.2 covers only part of a plain bundle larger than this with its signature. */
export const LARGE_PLAIN_LIMIT = 2 * 1024 ** 3;

/** A downloaded bundle over the limit: its size and format (undefined: RAUC could not tell, no InspectBundle). */
export interface LargeBundle {
  readonly filename: string;
  readonly label: string;
  readonly size: number;
  readonly format: string | undefined;
}

/** What `rauc --version` told, or why it told nothing. */
export type VersionAnswer = { readonly kind: 'known'; readonly version: RaucVersion } | { readonly kind: 'unknown'; readonly reason: string };

/**
 * Pure: a plain (or unknown-format) bundle over 2 GiB on a RAUC without the fix (or whose version is
 * unknown: treated as affected) is refused with code 2004, unless allow_large_plain_bundles accepts the
 * risk (then a warning). Verity and crypt bundles are not affected (their payload is hash-tree protected).
 */
export function decideLargePlain(decision: PolicyDecision & { verdict: 'proceed' }, large: readonly LargeBundle[], rauc: VersionAnswer, allow: boolean): PolicyDecision {
  const exposed = large.filter((bundle) => bundle.format === undefined || bundle.format === 'plain');
  if (exposed.length === 0) return decision;
  if (rauc.kind === 'known' && hasLargePlainFix(rauc.version)) {
    const text = `${exposed.map((bundle) => bundle.filename).join(', ')}: plain bundle over 2 GiB; RAUC ${rauc.version.text} has the fix of CVE-2026-34155; installing`;
    return { ...decision, record: [...decision.record, { warning: false, text }] };
  }
  const which = rauc.kind === 'known' ? `RAUC ${rauc.version.text} is older than 1.15.2` : `RAUC's version could not be determined (${rauc.reason}), so it is treated as older than 1.15.2`;
  const bundles = exposed
    .map((bundle) => `${bundle.filename} (${bundle.label}, ${formatBytes(bundle.size)}, ${bundle.size} bytes, ${bundle.format === undefined ? 'format unknown: RAUC has no InspectBundle, treated as plain' : 'plain'})`)
    .join('; ');
  const risk = `a plain bundle over 2 GiB is only partly covered by its signature (CVE-2026-34155)`;
  if (allow) {
    const text = `${bundles}: ${which}; ${risk}; installing because allow_large_plain_bundles = true`;
    return { ...decision, record: [...decision.record, { warning: true, text }] };
  }
  const summary = `Unsafe bundle, not installed: ${bundles}: ${which}; ${risk}. Build it as a verity bundle, update RAUC to 1.15.2 or later, or set allow_large_plain_bundles = true to accept the risk`;
  return { verdict: 'refuse', code: STATUS_CODES.UNSAFE_BUNDLE, summary, record: decision.record };
}

/** The downloaded bundles over 2 GiB; for them (only) RAUC's version is asked with rauc_version_command. */
export async function checkLargePlainBundles(
  deps: AgentDependencies,
  local: readonly BundleRef[],
  inspected: readonly InspectedBundle[],
  decision: PolicyDecision & { verdict: 'proceed' },
  signal: AbortSignal,
): Promise<PolicyDecision> {
  const large: LargeBundle[] = [];
  for (const bundle of local) {
    const { size } = await stat(bundle.path!);
    if (size <= LARGE_PLAIN_LIMIT) continue;
    const inspection = inspected.find((entry) => entry.filename === bundle.filename)?.inspection;
    const format = inspection?.kind === 'info' ? inspection.format : undefined;
    large.push({ filename: bundle.filename, label: `${bundle.chunk} ${bundle.version}`, size, format });
  }
  if (!large.some((bundle) => bundle.format === undefined || bundle.format === 'plain')) return decision;
  return decideLargePlain(decision, large, await askRaucVersion(deps, signal), deps.config.allowLargePlainBundles);
}

/** Runs rauc_version_command (where the service's RAUC is) and parses its output. */
export async function askRaucVersion(deps: AgentDependencies, signal: AbortSignal): Promise<VersionAnswer> {
  const command = deps.config.raucVersionCommand;
  const shown = command.join(' ');
  try {
    const result = await runCommand(command, { signal, timeoutMs: 10_000 });
    if (signal.aborted) throw signal.reason;
    if (result.exitCode !== 0) return { kind: 'unknown', reason: `'${shown}' ${result.error ?? `exited with ${result.exitCode}`}` };
    const version = parseRaucVersion(result.output);
    if (!version) return { kind: 'unknown', reason: `'${shown}' printed no RAUC version: ${JSON.stringify(result.output.slice(0, 80))}` };
    return { kind: 'known', version };
  } catch (error) {
    if (signal.aborted) throw error;
    return { kind: 'unknown', reason: `'${shown}' failed: ${errorMessage(error)}` };
  }
}
