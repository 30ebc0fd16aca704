import type { PollResult } from '../ddi/index.js';

/** One line on what a poll found, for the status file (what `hawkbit-rauc poll-now` prints). */
export function summarizePoll(result: PollResult, runningActionId: string | undefined, nextPollMs: number): string {
  const found: string[] = [];
  if (result.cancel) found.push(`cancel request for action ${result.cancel.actionId}`);
  if (result.confirmation) found.push(`action ${result.confirmation.actionId} waits for confirmation`);
  if (result.deployment) {
    found.push(result.deployment.actionId === runningActionId ? `action ${result.deployment.actionId} (in progress)` : `action ${result.deployment.actionId} offered`);
  }
  if (result.configData) found.push('the server asked for the attributes');
  if (found.length === 0) found.push('nothing to do');
  return `${found.join('; ')}; next poll in ${Math.round(nextPollMs / 1000)} s`;
}
