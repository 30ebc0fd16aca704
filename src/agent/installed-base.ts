import { MAX_ATTRIBUTE_LENGTH, type Deployment, type InstalledHandle } from '../ddi/index.js';
import { errorMessage } from '../lib/errors.js';
import type { AgentDependencies } from './context.js';
import { readSystem } from './policy/checks.js';
import { comparedWithBootedSlot, type OfferedBundle, type PendingReboot, type RunningSystem } from './policy/decide.js';
import { compareVersions } from './policy/version-compare.js';

/**
 * The target attribute that says whether RAUC's booted slot runs what the server's last installed
 * action (`installedBase`) installed. `installedBase` is read-only (a closed action takes no feedback),
 * so a target attribute is the one place the DDI API leaves for it; operators find drifted devices
 * with the target filter `attribute.installed_base==differs*`.
 */
export const INSTALLED_BASE_ATTRIBUTE = 'installed_base';

export type InstalledBaseFinding =
  | { readonly kind: 'matches'; readonly actionId: string; readonly bundle: string; readonly slot: string }
  | { readonly kind: 'differs'; readonly actionId: string; readonly bundle: string; readonly slot: string; readonly running: string | undefined }
  | { readonly kind: 'pendingReboot'; readonly actionId: string; readonly bundle: string; readonly slot: string }
  | { readonly kind: 'notCompared'; readonly actionId: string; readonly reason: string };

const BUNDLE = /\.raucb$/i;

/**
 * Pure: the installed action's system bundles (those of `os` chunks, or its only bundle — the rule the
 * update policy uses) against the booted slot's `bundle.version`. The action this agent installed and
 * whose slot waits for the reboot is `pendingReboot`, not a difference.
 */
export function compareInstalledBase(deployment: Deployment, running: RunningSystem, pending: PendingReboot | undefined): InstalledBaseFinding {
  const actionId = deployment.id;
  const offered: OfferedBundle[] = deployment.chunks.flatMap((chunk) =>
    chunk.artifacts.filter((artifact) => BUNDLE.test(artifact.filename)).map((artifact) => ({ chunk: chunk.name, part: chunk.part, version: chunk.version, filename: artifact.filename })),
  );
  const compared = comparedWithBootedSlot(offered);
  const first = compared[0];
  if (!first) return { kind: 'notCompared', actionId, reason: `action ${actionId} holds no system bundle` };
  const bundle = `${first.chunk} ${first.version}`;
  if (pending?.actionId === actionId) return { kind: 'pendingReboot', actionId, bundle, slot: pending.slot };
  if (running.kind === 'unreadable') return { kind: 'notCompared', actionId, reason: running.reason };
  const version = running.kind === 'known' ? running.version : undefined;
  const same = compared.find((item) => version !== undefined && compareVersions(item.version, version).order === 'same');
  if (same) return { kind: 'matches', actionId, bundle: `${same.chunk} ${same.version}`, slot: running.slot };
  return { kind: 'differs', actionId, bundle, slot: running.slot, running: version };
}

/** The attribute value: a leading word (matches, differs, waiting for the reboot, not compared), then the facts. */
export function describeFinding(finding: InstalledBaseFinding): string {
  const text = (() => {
    switch (finding.kind) {
      case 'matches':
        return `matches: ${finding.slot} runs ${finding.bundle} of action ${finding.actionId}`;
      case 'differs':
        return `differs: ${finding.slot} runs ${finding.running ?? 'no bundle version'}, action ${finding.actionId} installed ${finding.bundle}`;
      case 'pendingReboot':
        return `waiting for the reboot: action ${finding.actionId} installed ${finding.bundle} in ${finding.slot}`;
      case 'notCompared':
        return `not compared: ${finding.reason}`;
    }
  })();
  return text.length > MAX_ATTRIBUTE_LENGTH ? `${text.slice(0, MAX_ATTRIBUTE_LENGTH - 3)}...` : text;
}

/**
 * Reads the server's last installed action when it offers `installedBase` (hawkBit ≥ 0.3: the last
 * finished update of the target) and compares it with RAUC's booted slot, each time the attributes are
 * collected (at start, after an action, when the server asks). The installed action is fetched once
 * per link. Only while no action is under way: during one, and while it waits for the reboot to be
 * verified, the booted slot is expected to differ. A difference (a rollback by the bootloader, an
 * installation from USB or by hand) is logged as a warning once per finding.
 */
export class InstalledBaseCheck {
  #fetched: { href: string; deployment: Deployment } | undefined;
  #reported: string | undefined;

  constructor(private readonly deps: AgentDependencies) {}

  /** `{ installed_base: … }`, or nothing when there is no link, an action is under way, or RAUC or the server cannot tell. */
  async attributes(handle: InstalledHandle | undefined, signal: AbortSignal): Promise<Record<string, string>> {
    if (!handle || this.deps.store.phase.kind !== 'idle') return {};
    const deployment = await this.#deployment(handle, signal);
    if (!deployment) return {};
    const { running, pending } = await readSystem(this.deps, signal);
    const finding = compareInstalledBase(deployment, running, pending);
    if (finding.kind === 'notCompared' && running.kind === 'unreadable') return {};
    const value = describeFinding(finding);
    if (value !== this.#reported) {
      this.#reported = value;
      if (finding.kind === 'differs') {
        this.deps.log.warning(
          `RAUC's booted slot ${finding.slot} runs ${finding.running ?? 'a bundle without a version'}, but the server's last installed action ${finding.actionId} installed ${finding.bundle} ` +
            `(a rollback, or an installation outside hawkBit); reported as the target attribute ${INSTALLED_BASE_ATTRIBUTE}`,
        );
      } else {
        this.deps.log.info(`${INSTALLED_BASE_ATTRIBUTE}: ${value}`);
      }
    }
    return { [INSTALLED_BASE_ATTRIBUTE]: value };
  }

  async #deployment(handle: InstalledHandle, signal: AbortSignal): Promise<Deployment | undefined> {
    if (this.#fetched?.href === handle.href) return this.#fetched.deployment;
    try {
      const deployment = await handle.fetch({ signal });
      this.#fetched = { href: handle.href, deployment };
      return deployment;
    } catch (error) {
      if (signal.aborted) throw error;
      this.deps.log.warning(`installed action ${handle.actionId} could not be read (${errorMessage(error)}); compared at the next attribute update`);
      return undefined;
    }
  }
}
