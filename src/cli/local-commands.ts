import type { Writable } from 'node:stream';
import { readStatus, recordDecision, StateStore } from '../agent/index.js';
import type { Config } from '../config/index.js';
import { sanitizeForTerminal } from '../lib/sanitize.js';
import type { Logger, Redactor } from '../log/index.js';
import { jsonReplacer } from '../log/index.js';
import { ExitCode } from './exit-codes.js';
import { isoTime } from '../lib/iso-time.js';

/** What the state store reports before anything was ever persisted. */
const NEVER = isoTime(0);

/**
 * `status`: the persisted phase plus the running service's status file. Both files are redacted when
 * written; every line is redacted again (files of an older version) and cleaned for the terminal (server
 * texts such as error details and file names may hold escape sequences and control characters).
 */
export async function showStatus(config: Config, log: Logger, out: Writable, redactor: Redactor): Promise<number> {
  const store = new StateStore(config.stateDir, { log, redactor });
  const recovery = await store.load({ readOnly: true });
  const { phase, updatedAt, visits } = store.state;
  const live = await readStatus(config.stateDir);
  const lines = [`state:       ${phase.kind}${phase.kind === 'idle' ? '' : ` (action ${phase.action.id})`}`, `since:       ${updatedAt === NEVER ? 'never' : updatedAt}`];
  if (recovery) lines.push(`damaged:     ${store.path}: ${recovery.reason} (the service moves it aside at its next start)`);
  if (phase.kind !== 'idle') {
    const bundles = phase.action.bundles.map((bundle) => `${bundle.filename} ${bundle.version}`).join(', ');
    if (bundles) lines.push(`bundles:     ${bundles}`);
    if (phase.kind === 'reporting') lines.push(`result:      ${phase.outcome.result}: ${phase.outcome.details.join('; ')} (not yet delivered)`);
    if (phase.kind === 'rebootPending') lines.push(`expected:    slot ${phase.expectedSlot ?? 'unknown'} after the reboot`);
    if (phase.kind === 'confirming') lines.push(`decision:    ${phase.denied ? 'denied' : 'waiting for confirm/deny'}`);
    lines.push(`visits:      ${JSON.stringify(visits, jsonReplacer)}`);
  }
  if (live) {
    lines.push(`service:     pid ${live.pid}, ${live.activity} (updated ${live.updatedAt})`);
    if (live.progress) lines.push(`progress:    ${live.progress.percent} % ${live.progress.message}`);
    if (live.waitingFor) lines.push(`waiting for: ${live.waitingFor}`);
    if (live.lastPollAt) lines.push(`last poll:   ${live.lastPollAt}`);
    if (live.lastError) lines.push(`last error:  ${live.lastError}`);
  }
  out.write(`${lines.map((line) => sanitizeForTerminal(redactor.text(line), { maxLength: 2000, singleLine: true })).join('\n')}\n`);
  return ExitCode.OK;
}

/** `confirm ID` / `deny ID`: leaves the decision for the running service, which answers hawkBit at its next poll. */
export async function decide(config: Config, actionId: string, decision: 'confirmed' | 'denied', out: Writable): Promise<number> {
  await recordDecision(config.stateDir, actionId, decision);
  out.write(`action ${actionId} will be ${decision} at the next poll\n`);
  return ExitCode.OK;
}
