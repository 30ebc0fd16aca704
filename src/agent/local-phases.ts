import { errorMessage } from '../lib/errors.js';
import { isRaucUnavailableError } from '../rauc/index.js';
import type { AgentDependencies } from './context.js';
import { failureFromError } from './failures.js';
import { cleanUp, finishInstall, reportOutcome } from './finish.js';
import { settleInterruptedInstall } from './install-step.js';
import { verifyBootedSlot } from './verify-step.js';

/** `done`: nothing local is left; `retry`: try again later (RAUC not up yet). */
export type LocalResult = 'done' | 'retry';

/**
 * The resume mapping for phases that need no server: run at start, before the first poll. An
 * installation interrupted by the restart is settled from RAUC's state and the handover record (never
 * installed twice; a bundle RAUC never started is installed when the server offers the action); a
 * pending reboot is verified once the boot id changed; cleanup is finished. Results that need
 * reporting are persisted as `reporting` and sent when the server offers the action.
 */
export async function settleLocalPhase(deps: AgentDependencies, signal: AbortSignal): Promise<LocalResult> {
  const phase = deps.store.phase;
  try {
    switch (phase.kind) {
      case 'installing': {
        // What is left to install is installed when the server offers the action again.
        const next = await settleInterruptedInstall(deps, phase, signal);
        if (next.installed < next.action.bundles.length) return 'done';
        await finishInstall(deps, next.action, undefined, signal);
        return 'done';
      }
      case 'rebootPending': {
        if ((await deps.system.bootId()) !== phase.bootId) {
          const verifying = await deps.store.transition({ ...phase, kind: 'verifying' });
          if (verifying.phase.kind !== 'verifying') return 'done';
          return settleLocalPhase(deps, signal);
        }
        if (!deps.config.postUpdateReboot) {
          deps.log.message(`action ${phase.action.id} is installed and waits for a reboot to be verified`);
          return 'done';
        }
        deps.log.warning(`action ${phase.action.id} was installed but the machine did not reboot yet; asking again`);
        await deps.store.transition(phase);
        await deps.system.reboot({ signal });
        return 'done';
      }
      case 'verifying': {
        const outcome = await verifyBootedSlot(deps, phase, signal);
        deps.log.message(`post-reboot verification of action ${phase.action.id}: ${outcome.result}`, { details: outcome.details });
        await reportOutcome(deps, phase.action, outcome, undefined, signal);
        return 'done';
      }
      case 'cleanup':
        await cleanUp(deps, phase.action);
        return 'done';
      default:
        return 'done';
    }
  } catch (error) {
    if (signal.aborted) throw error;
    if (isRaucUnavailableError(error)) {
      deps.log.warning(`RAUC is not available yet (${errorMessage(error)}); the ${phase.kind} phase is settled once it is`);
      return 'retry';
    }
    if (phase.kind === 'idle' || phase.kind === 'reporting') throw error;
    deps.log.error(`action ${phase.action.id}: ${errorMessage(error)}`);
    await reportOutcome(deps, phase.action, failureFromError(error), undefined, signal);
    return 'done';
  }
}
