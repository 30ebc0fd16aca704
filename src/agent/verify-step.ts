import type { AgentDependencies } from './context.js';
import type { Outcome, Phase } from './state.js';
import { STATUS_CODES } from '../ddi/index.js';
import { errorMessage } from '../lib/errors.js';
import type { SlotStatus } from '../rauc/index.js';
import { describeBundles } from './install-step.js';

type VerifyingPhase = Extract<Phase, { kind: 'verifying' }>;

/**
 * After the reboot: the boot id changed (checked by the caller); now the slot RAUC booted must be the
 * one this action installed. With a RAUC that records transactions (1.10+: `installed.transaction` in
 * the slot status) that is the slot carrying the action's transaction id; without, the slot RAUC made
 * primary after the install. Then it is marked good (the bootloader stops counting tries) and the
 * update succeeded; booting another slot means the bootloader rolled back.
 */
export async function verifyBootedSlot(deps: AgentDependencies, phase: VerifyingPhase, signal: AbortSignal): Promise<Outcome> {
  const slots = await deps.installer.slotStatus({ signal });
  const booted = slots.find((slot) => slot.state === 'booted');
  const versions = describeBundles(phase.action);
  if (!booted) {
    return { result: 'failure', code: STATUS_CODES.ROLLBACK, details: ['after the reboot RAUC reports no booted slot'] };
  }
  const bootedName = `${booted.name}${booted.bootname ? ` (${booted.bootname})` : ''}`;
  const transaction = transactionCheck(phase, slots, booted);
  if (transaction.failure) return { result: 'failure', code: STATUS_CODES.ROLLBACK, details: [transaction.failure] };
  if (!transaction.proof && phase.expectedSlot !== undefined && booted.name !== phase.expectedSlot) {
    return {
      result: 'failure',
      code: STATUS_CODES.ROLLBACK,
      details: [`rolled back: booted ${bootedName}, but ${versions} was installed to ${phase.expectedSlot}`],
    };
  }
  try {
    const marked = await deps.installer.mark('good', 'booted', { signal });
    deps.log.message(`marked ${marked.slot} good: ${marked.message}`);
  } catch (error) {
    return {
      result: 'failure',
      code: STATUS_CODES.INSTALL_FAILED,
      details: [`booted ${bootedName} with ${versions}, but marking it good failed: ${errorMessage(error)}`],
    };
  }
  const version = booted.bundleVersion ? ` running ${booted.bundleVersion}` : '';
  const check = transaction.proof ?? (phase.expectedSlot === undefined ? ' (RAUC did not name the target slot; booted slot not compared)' : '');
  return { result: 'success', details: [`Installed ${versions}; rebooted into ${bootedName}${version} and marked it good${check}`] };
}

/**
 * The transaction evidence: `proof` when the booted slot carries the action's transaction id, `failure`
 * when RAUC records transactions and the booted slot is not the one the action's install wrote, neither
 * when RAUC records none (RAUC < 1.10 wrote the slot): then the caller compares slot names. A state file
 * of an older version has no transaction id with the action: that version sent none, so RAUC recorded
 * a random one, and the slot names are compared as that version did.
 */
function transactionCheck(phase: VerifyingPhase, slots: readonly SlotStatus[], booted: SlotStatus): { proof?: string; failure?: string } {
  const id = phase.action.transactionId;
  if (id === undefined) return {};
  const ours = slots.find((slot) => slot.transaction === id);
  const expected = slots.find((slot) => slot.name === phase.expectedSlot);
  if (!ours && expected?.transaction === undefined) return {};
  const rolledBack = `rolled back: booted ${booted.name} (${booted.bundleVersion ?? 'no bundle version'}), not the slot installed by action ${phase.action.id}`;
  if (!ours) return { failure: `${rolledBack}: no slot carries its RAUC transaction ${id} (${expected!.name} was last written by transaction ${expected!.transaction})` };
  if (ours.name !== booted.name) return { failure: `${rolledBack} (${ours.name}, RAUC transaction ${id})` };
  return { proof: ` (RAUC transaction ${id}${ours.bundleHash ? `, manifest hash ${ours.bundleHash}` : ''})` };
}
