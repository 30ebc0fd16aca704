import type { Config } from '../config/index.js';
import { uuidV5 } from '../lib/uuid.js';

/** Namespace of hawkbit-rauc's transaction ids (a fixed random UUID; never change it). */
const NAMESPACE = '0610c8f4-6bf5-4a42-ad1a-e99d013e11c1';

/**
 * The RAUC transaction id of a hawkBit action: a name-based UUID (v5) of server, tenant, target and action
 * id, so every restart of the agent, and anyone who knows these four, gets the same id. RAUC ≥ 1.10
 * records it as `installed.transaction` of the slot the install wrote.
 */
export function actionTransactionId(config: Pick<Config, 'hawkbitServer' | 'tenantId' | 'targetName'>, actionId: string): string {
  return uuidV5(JSON.stringify([config.hawkbitServer, config.tenantId, config.targetName, actionId]), NAMESPACE);
}
