import type { AgentDependencies } from './context.js';
import type { DeploymentPlan } from './deployment-plan.js';
import { runCommand } from './command-runner.js';

/**
 * The local gate for soft (attempt) updates: `update_gate_command` is asked before the download and
 * before the installation; exit 0 means go. Forced and download-only actions skip it.
 * Returns undefined to go on, or the reason for waiting.
 */
export async function askGate(
  deps: AgentDependencies,
  plan: DeploymentPlan,
  stage: 'download' | 'install',
  signal: AbortSignal,
): Promise<string | undefined> {
  const command = deps.config.updateGateCommand;
  if (command === undefined || plan.type !== 'soft') return undefined;
  const versions = [...new Set(plan.artifacts.map((item) => `${item.chunk} ${item.version}`))].join(', ');
  const result = await runCommand(command, {
    signal,
    env: { HAWKBIT_ACTION_ID: plan.actionId, HAWKBIT_STAGE: stage, HAWKBIT_VERSIONS: versions },
  });
  if (result.exitCode === 0) {
    deps.log.info(`update gate allows the ${stage} of action ${plan.actionId}`);
    return undefined;
  }
  const why = result.error ?? `exit code ${result.exitCode}`;
  const said = result.output ? `: ${result.output.split('\n').at(-1)}` : '';
  return `local update gate refused the ${stage} (${why})${said}; asking again at the next poll`;
}
