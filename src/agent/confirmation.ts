import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfirmationHandle } from '../ddi/index.js';
import { STATUS_CODES } from '../ddi/index.js';
import { errorMessage, systemErrorCode } from '../lib/errors.js';
import { runCommand } from './command-runner.js';
import type { AgentDependencies } from './context.js';
import { planDeployment } from './deployment-plan.js';
import { IDLE } from './state.js';

const DECISIONS = 'decisions';

/**
 * Answers hawkBit's confirmation request for an action, per `confirmation_policy`: `auto` confirms,
 * `command` runs `confirmation_command` (exit 0 confirms), `manual` waits for `hawkbit-rauc confirm|deny
 * <id>`. A denial is remembered (phase `confirming`, denied) so it is not repeated at every poll.
 */
export async function handleConfirmation(deps: AgentDependencies, handle: ConfirmationHandle, signal: AbortSignal): Promise<void> {
  const { config, store, log } = deps;
  const phase = store.phase;
  const known = phase.kind === 'confirming' && phase.action.id === handle.actionId ? phase : undefined;
  const manual = await takeDecision(config.stateDir, handle.actionId);
  if (known?.denied && manual === undefined) return;

  let decision: 'confirmed' | 'denied' | undefined;
  let details: string;
  if (manual !== undefined) {
    decision = manual;
    details = `${manual} locally (hawkbit-rauc ${manual === 'confirmed' ? 'confirm' : 'deny'})`;
  } else if (config.confirmationPolicy === 'auto') {
    decision = 'confirmed';
    details = 'confirmed automatically (confirmation_policy = auto)';
  } else if (config.confirmationPolicy === 'command') {
    const deployment = await handle.fetch({ signal });
    const versions = deployment.chunks.map((chunk) => `${chunk.name} ${chunk.version}`).join(', ');
    const result = await runCommand(config.confirmationCommand!, {
      signal,
      env: { HAWKBIT_ACTION_ID: handle.actionId, HAWKBIT_VERSIONS: versions },
    });
    decision = result.exitCode === 0 ? 'confirmed' : 'denied';
    details = `${decision} by confirmation_command (${result.error ?? `exit code ${result.exitCode}`})${result.output ? `: ${result.output}` : ''}`;
  } else {
    if (!known) {
      const plan = planDeployment(await handle.fetch({ signal }));
      await store.transition({ kind: 'confirming', action: { id: handle.actionId, type: plan.type, bundles: [], files: [] }, denied: false });
      log.message(`action ${handle.actionId} awaits confirmation: run 'hawkbit-rauc -c ${config.file} confirm ${handle.actionId}' (or deny)`);
      deps.status.set({ actionId: handle.actionId, activity: 'awaiting confirmation', waitingFor: `confirm or deny action ${handle.actionId}` });
    }
    return;
  }

  await handle.respond(decision, { code: decision === 'denied' ? STATUS_CODES.CONFIRMATION_DENIED : undefined, details: [details] }, { signal });
  log.message(`action ${handle.actionId} ${details}`);
  if (decision === 'denied') {
    const action = known?.action ?? { id: handle.actionId, type: 'forced' as const, bundles: [], files: [] };
    if (known) await store.update({ ...known, denied: true });
    else await store.transition({ kind: 'confirming', action, denied: true });
  } else if (known) {
    await store.transition(IDLE);
  }
}

/** Written by `hawkbit-rauc confirm|deny <id>`; read (and removed) by the running service. */
export async function recordDecision(stateDir: string, actionId: string, decision: 'confirmed' | 'denied'): Promise<void> {
  if (!/^[\w-]{1,64}$/.test(actionId)) throw new Error(`'${actionId}' is not an action id`);
  await mkdir(join(stateDir, DECISIONS), { recursive: true, mode: 0o700 });
  await writeFile(join(stateDir, DECISIONS, actionId), decision);
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
