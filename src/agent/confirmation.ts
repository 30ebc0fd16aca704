import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfirmationHandle } from '../ddi/index.js';
import { writeFileAtomic } from '../lib/atomic-file.js';
import { errorMessage, systemErrorCode } from '../lib/errors.js';
import { runCommand } from './command-runner.js';
import type { AgentDependencies } from './context.js';
import { planDeployment } from './deployment-plan.js';
import type { EventOf } from './lifecycle-types.js';

const DECISIONS = 'decisions';

/**
 * Decides hawkBit's confirmation request for an action, per `confirmation_policy`: `auto` confirms,
 * `command` runs `confirmation_command` (exit 0 confirms), `manual` waits for `hawkbit-rauc confirm|deny
 * <id>` (`pending`). Undefined: nothing to do (a denial is not repeated at every poll, a wait is known).
 * The lifecycle table answers and persists it.
 */
export async function confirmationEvent(deps: AgentDependencies, handle: ConfirmationHandle, signal: AbortSignal): Promise<EventOf<'confirmation'> | undefined> {
  const { config, store } = deps;
  const phase = store.phase;
  const known = phase.kind === 'confirming' && phase.action.id === handle.actionId ? phase : undefined;
  const manual = await takeDecision(config.stateDir, handle.actionId);
  if (known?.denied && manual === undefined) return undefined;
  const event = { type: 'confirmation', actionId: handle.actionId, actionType: known?.action.type ?? 'forced' } as const;
  if (manual !== undefined) return { ...event, decision: manual, details: `${manual} locally (hawkbit-rauc ${manual === 'confirmed' ? 'confirm' : 'deny'})` };
  if (config.confirmationPolicy === 'auto') return { ...event, decision: 'confirmed', details: 'confirmed automatically (confirmation_policy = auto)' };
  if (config.confirmationPolicy === 'command') {
    const deployment = await handle.fetch({ signal });
    const versions = deployment.chunks.map((chunk) => `${chunk.name} ${chunk.version}`).join(', ');
    const result = await runCommand(config.confirmationCommand!, {
      signal,
      env: { HAWKBIT_ACTION_ID: handle.actionId, HAWKBIT_VERSIONS: versions },
    });
    const decision = result.exitCode === 0 ? 'confirmed' : 'denied';
    return { ...event, decision, details: `${decision} by confirmation_command (${result.error ?? `exit code ${result.exitCode}`})${result.output ? `: ${result.output}` : ''}` };
  }
  if (known) return undefined;
  const plan = planDeployment(await handle.fetch({ signal }));
  const details = `action ${handle.actionId} awaits confirmation: run 'hawkbit-rauc -c ${config.file} confirm ${handle.actionId}' (or deny)`;
  return { ...event, actionType: plan.type, decision: 'pending', details };
}

/**
 * Written by `hawkbit-rauc confirm|deny <id>`; read (and removed) by the running service. Atomically:
 * a service reading a file still being written would find it empty, remove it, and lose the decision.
 */
export async function recordDecision(stateDir: string, actionId: string, decision: 'confirmed' | 'denied'): Promise<void> {
  if (!/^[\w-]{1,64}$/.test(actionId)) throw new Error(`'${actionId}' is not an action id`);
  await mkdir(join(stateDir, DECISIONS), { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(stateDir, DECISIONS, actionId), decision);
}

async function takeDecision(stateDir: string, actionId: string): Promise<'confirmed' | 'denied' | undefined> {
  const file = join(stateDir, DECISIONS, actionId);
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if (systemErrorCode(error) !== 'ENOENT') throw new Error(`cannot read ${file}: ${errorMessage(error)}`, { cause: error });
    return undefined;
  }
  await rm(file, { force: true });
  return text === 'confirmed' || text === 'denied' ? text : undefined;
}
