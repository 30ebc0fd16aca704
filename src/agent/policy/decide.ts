import type { SameVersionPolicy } from '../../config/index.js';
import { STATUS_CODES } from '../../ddi/index.js';
import { formatBytes } from '../format.js';
import { compareVersions } from './version-compare.js';

/**
 * The update policy as pure decisions: what the server offers × what RAUC says runs × the config →
 * proceed, skip or refuse, each with a record of lines for the log and the feedback details.
 * docs/lifecycle.md ("Update policy") has the table these functions implement.
 */

export interface PolicySettings {
  readonly sameVersion: SameVersionPolicy;
  readonly allowDowngrade: boolean;
}

/** A bundle as the server offers it (chunk = software module). */
export interface OfferedBundle {
  readonly chunk: string;
  /** The software module type key, e.g. `os`, `application`. */
  readonly part: string;
  readonly version: string;
  readonly filename: string;
  /** SHA-256 of the bundle file, when the server gives one. */
  readonly sha256?: string | undefined;
}

/** What RAUC says about the running system before the download. */
export type RunningSystem =
  | { readonly kind: 'known'; readonly slot: string; readonly version: string }
  /** The booted slot carries no `bundle.version` (e.g. written by the factory image, not by RAUC). */
  | { readonly kind: 'unversioned'; readonly slot: string }
  /** RAUC could not be asked, or named no booted slot. */
  | { readonly kind: 'unreadable'; readonly reason: string };

/** One line of the decision record; warnings are logged as warnings. */
export interface PolicyNote {
  readonly warning: boolean;
  readonly text: string;
}

/** `summary` heads the feedback of a skip or refusal; `record` holds every other decision made. */
export type PolicyDecision =
  | { readonly verdict: 'proceed'; readonly record: readonly PolicyNote[] }
  | { readonly verdict: 'skip'; readonly summary: string; readonly record: readonly PolicyNote[] }
  | { readonly verdict: 'refuse'; readonly code: number; readonly summary: string; readonly record: readonly PolicyNote[] };

/** `proceed` with the bundles still to fetch and install (same-version ones left out). */
export type DownloadDecision = PolicyDecision & { readonly install: readonly OfferedBundle[] };

const note = (text: string): PolicyNote => ({ warning: false, text });
const warn = (text: string): PolicyNote => ({ warning: true, text });
const label = (bundle: { chunk: string; version: string }) => `${bundle.chunk} ${bundle.version}`;

/**
 * The bundles that are compared with the booted slot: those of `os` chunks (hawkBit's module type for
 * the system image, which is what the booted slot holds), or the only bundle of a single-bundle action
 * whatever its type. Bundles of other chunks (applications, add-ons) are installed without comparison.
 */
export function comparedWithBootedSlot(bundles: readonly OfferedBundle[]): readonly OfferedBundle[] {
  const system = bundles.filter((bundle) => bundle.part.toLowerCase() === 'os');
  return system.length > 0 || bundles.length !== 1 ? system : bundles;
}

/**
 * A slot RAUC marked for the next boot (primary, not booted) that this agent's record of its last
 * completed installation says it wrote, and RAUC's slot status still agrees (same installed.count and
 * timestamp, same version): that update is installed and waits for the reboot.
 */
export interface PendingReboot {
  readonly slot: string;
  readonly version: string;
  /** SHA-256 of the bundle file installed there (undefined when the server gave none). */
  readonly sha256: string | undefined;
  readonly actionId: string;
}

/**
 * Before the download: each compared bundle against what waits for the reboot, then the booted slot's
 * version. The same version (and bundle hash, when both are known) already installed in the slot
 * marked for the next boot is not downloaded again (same_version = skip); a downgrade refused for any
 * bundle refuses the whole action (a partial update is worse than none); a same-version bundle is left
 * out with same_version = skip, and when nothing is left the action is skipped as a success.
 * RAUC's state unknown → everything proceeds (the install fails clearly if it must).
 */
export function decideBeforeDownload(
  bundles: readonly OfferedBundle[],
  running: RunningSystem,
  settings: PolicySettings,
  pending?: PendingReboot,
): DownloadDecision {
  const compared = comparedWithBootedSlot(bundles);
  const record: PolicyNote[] = [];
  const install: OfferedBundle[] = [];
  const rest: OfferedBundle[] = [];
  let waiting = false;
  for (const bundle of bundles) {
    const verdict = pending && compared.includes(bundle) ? againstPending(bundle, pending, settings) : undefined;
    if (verdict?.install === false) waiting = true;
    if (verdict) record.push(verdict.note);
    if (verdict?.install) install.push(bundle);
    if (!verdict || verdict.install === undefined) rest.push(bundle);
  }
  const refused: string[] = [];
  if (rest.length > 0) compareWithRunning(rest, compared, running, settings, { record, install, refused });
  if (refused.length > 0) {
    return { verdict: 'refuse', code: STATUS_CODES.DOWNGRADE_REFUSED, summary: `Downgrade refused: ${refused.join('; ')}`, install: [], record };
  }
  if (install.length === 0 && waiting && pending) {
    const summary = `Already installed ${pending.version} in ${pending.slot} (action ${pending.actionId}), waiting for the reboot: nothing downloaded or installed`;
    return { verdict: 'skip', summary, install, record };
  }
  if (install.length === 0 && running.kind === 'known') {
    return { verdict: 'skip', summary: `Already running ${running.version} (${running.slot}): nothing downloaded or installed`, install, record };
  }
  return { verdict: 'proceed', install, record };
}

/** `install` false: installed and waiting for the reboot; true: install again; undefined: compare with the booted slot. */
function againstPending(bundle: OfferedBundle, pending: PendingReboot, settings: PolicySettings): { install: boolean | undefined; note: PolicyNote } | undefined {
  if (compareVersions(bundle.version, pending.version).order !== 'same') return undefined;
  const where = `${pending.slot} (marked for the next boot)`;
  if (bundle.sha256 !== undefined && pending.sha256 !== undefined && bundle.sha256 !== pending.sha256) {
    return { install: undefined, note: note(`${label(bundle)}: ${where} holds ${pending.version} from another bundle (SHA-256 differs); not treated as installed`) };
  }
  if (settings.sameVersion === 'skip') {
    return { install: false, note: note(`${label(bundle)}: already installed in ${where} by action ${pending.actionId}, waiting for the reboot (same_version = skip); not downloaded`) };
  }
  return { install: true, note: note(`${label(bundle)}: already installed in ${where}, waiting for the reboot; installing again (same_version = install)`) };
}

/** The bundles not settled by a pending reboot, against the booted slot's version. */
function compareWithRunning(
  bundles: readonly OfferedBundle[],
  compared: readonly OfferedBundle[],
  running: RunningSystem,
  settings: PolicySettings,
  out: { record: PolicyNote[]; install: OfferedBundle[]; refused: string[] },
): void {
  const { record, install, refused } = out;
  if (running.kind === 'unreadable') {
    record.push(warn(`Version check skipped: ${running.reason}; installing ${bundles.map(label).join(', ')}`));
    install.push(...bundles);
    return;
  }
  if (running.kind === 'unversioned') {
    record.push(note(`Version check skipped: the booted slot ${running.slot} reports no bundle version; installing ${bundles.map(label).join(', ')}`));
    install.push(...bundles);
    return;
  }
  const against = `${running.version} running in ${running.slot}`;
  for (const bundle of bundles) {
    if (!compared.includes(bundle)) {
      record.push(note(`${label(bundle)}: module type '${bundle.part}' is not compared with the booted slot; installing`));
      install.push(bundle);
      continue;
    }
    const { order, scheme } = compareVersions(bundle.version, running.version);
    if (order === 'same' && settings.sameVersion === 'skip') {
      record.push(note(`${label(bundle)}: already running ${running.version} in ${running.slot} (same_version = skip); not downloaded`));
      continue;
    }
    install.push(bundle);
    if (order === 'same') {
      record.push(note(`${label(bundle)}: the same version as ${against}; installing again (same_version = install)`));
    } else if (order === 'higher') {
      record.push(note(`${label(bundle)}: newer than ${against} (${scheme} order); installing`));
    } else if (order === 'lower' && settings.allowDowngrade) {
      record.push(note(`${label(bundle)}: older than ${against} (${scheme} order); a downgrade, allowed (allow_downgrade = true); installing`));
    } else if (order === 'lower') {
      install.pop();
      refused.push(`${label(bundle)} is older than ${against} (${scheme} order) and allow_downgrade = false`);
    } else {
      record.push(warn(`${label(bundle)}: '${bundle.version}' and the running '${running.version}' (${running.slot}) are neither semantic nor dotted versions and differ; they cannot be ordered, so this is not treated as a downgrade; installing`));
    }
  }
}

/** Free space where the bundles go, for the bundles the version decision kept. */
export type SpaceCheck =
  | { readonly kind: 'enough'; readonly required: number; readonly directory: string }
  | { readonly kind: 'short'; readonly required: number; readonly available: number; readonly directory: string }
  /** stream_bundle: nothing is stored here, RAUC fetches the bundle itself. */
  | { readonly kind: 'streamed' };

/** Adds the free-space decision to a proceeding download decision: too little space refuses it. */
export function decideSpace(decision: DownloadDecision, space: SpaceCheck): DownloadDecision {
  if (decision.verdict !== 'proceed') return decision;
  if (space.kind === 'streamed') {
    return { ...decision, record: [...decision.record, note('free space not checked: stream_bundle, RAUC fetches the bundle itself')] };
  }
  const needed = `${formatBytes(space.required)} (${space.required} bytes)`;
  if (space.kind === 'enough') {
    return { ...decision, record: [...decision.record, note(`${needed} to download into ${space.directory}: enough free space`)] };
  }
  const summary =
    `Not enough space in ${space.directory}: ${needed} required, ` +
    `${formatBytes(space.available)} (${space.available} bytes) available; nothing downloaded`;
  return { verdict: 'refuse', code: STATUS_CODES.INSUFFICIENT_SPACE, summary, install: [], record: decision.record };
}

/** What RAUC's InspectBundle or Info said of a downloaded bundle, or why it was not asked. */
export type BundleInspection =
  | { readonly kind: 'info'; readonly compatible: string; readonly version: string; readonly manifestHash?: string | undefined; readonly format?: string | undefined }
  | { readonly kind: 'unreadable'; readonly reason: string };

export interface InspectedBundle {
  readonly chunk: string;
  readonly version: string;
  readonly filename: string;
  readonly inspection: BundleInspection;
}

/** RAUC's `Compatible` property, or why it could not be read. */
export type DeviceCompatible = { readonly kind: 'known'; readonly compatible: string } | { readonly kind: 'unreadable'; readonly reason: string };

/**
 * After the download, before InstallBundle: a bundle for another compatible refuses the action, naming
 * both strings (RAUC would refuse it too, with less to go on); a bundle whose manifest version differs
 * from the server's chunk version is only a warning. What cannot be read is a warning: RAUC checks the
 * bundle again when it installs it.
 */
export function decideBeforeInstall(bundles: readonly InspectedBundle[], device: DeviceCompatible): PolicyDecision {
  if (device.kind === 'unreadable') {
    return { verdict: 'proceed', record: [warn(`Compatible check skipped: RAUC's compatible could not be read (${device.reason}); RAUC checks it when installing`)] };
  }
  const record: PolicyNote[] = [];
  const mismatches: string[] = [];
  for (const bundle of bundles) {
    const { inspection } = bundle;
    if (inspection.kind === 'unreadable') {
      record.push(warn(`${bundle.filename}: RAUC could not inspect the bundle (${inspection.reason}); compatible and version not checked before the install`));
      continue;
    }
    if (inspection.compatible !== device.compatible) {
      const text = `${bundle.filename} (${label(bundle)}) is for '${inspection.compatible}', but this device is '${device.compatible}' (RAUC's compatible)`;
      mismatches.push(text);
      continue;
    }
    if (compareVersions(inspection.version, bundle.version).order !== 'same') {
      record.push(warn(`${bundle.filename}: the bundle's manifest says version ${inspection.version}, but the server offers ${label(bundle)}; installing anyway`));
    } else {
      const hash = inspection.manifestHash ? ` (manifest hash ${inspection.manifestHash})` : '';
      record.push(note(`${bundle.filename}: compatible '${inspection.compatible}' and version ${inspection.version} as expected${hash}; installing`));
    }
  }
  if (mismatches.length > 0) {
    return { verdict: 'refuse', code: STATUS_CODES.INCOMPATIBLE_BUNDLE, summary: `Incompatible bundle, not installed: ${mismatches.join('; ')}`, record };
  }
  return { verdict: 'proceed', record };
}
