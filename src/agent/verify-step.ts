import type { AgentDependencies } from './context.js';
import type { Outcome, Phase } from './state.js';
import { STATUS_CODES } from '../ddi/index.js';
import { errorMessage } from '../lib/errors.js';
import { describeBundles } from './install-step.js';

type VerifyingPhase = Extract<Phase, { kind: 'verifying' }>;

/**
 * After the reboot: the boot id changed (checked by the caller); now the slot RAUC booted must be the
 * one it installed to. Then it is marked good (the bootloader stops counting tries) and the update
 * succeeded; booting another slot means the bootloader rolled back.
 */
export async function verifyBootedSlot(deps: AgentDependencies, phase: VerifyingPhase, signal: AbortSignal): Promise<Outcome> {
  const slots = await deps.installer.slotStatus({ signal });
  const booted = slots.find((slot) => slot.state === 'booted');
  const versions = describeBundles(phase.action);
  if (!booted) {
    return { result: 'failure', code: STATUS_CODES.ROLLBACK, details: ['after the reboot RAUC reports no booted slot'] };
  }
  const bootedName = `${booted.name}${booted.bootname ? ` (${booted.bootname})` : ''}`;
  if (phase.expectedSlot !== undefined && booted.name !== phase.expectedSlot) {
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
  const check = phase.expectedSlot === undefined ? ' (RAUC did not name the target slot; booted slot not compared)' : '';
  return { result: 'success', details: [`Installed ${versions}; rebooted into ${bootedName}${version} and marked it good${check}`] };
}
