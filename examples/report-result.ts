// One poll of hawkBit with hawkbit-rauc as a library: read a rauc-hawkbit-updater style config, send
// the [device] attributes when asked, and answer an offered deployment with a result, for a gateway
// or service that installs updates its own way. Run: node report-result.js /etc/hawkbit-rauc.conf
import { configSecrets, loadConfig } from 'hawkbit-rauc/config';
import { buildFeedback, DdiClient, type Deployment } from 'hawkbit-rauc/ddi';
import { createLogger } from 'hawkbit-rauc/log';

const { config, warnings } = loadConfig(process.argv[2] ?? '/etc/hawkbit-rauc.conf');
// The logger cuts the token out of everything it writes.
const log = createLogger({ level: config.logLevel, format: 'text', secrets: configSecrets(config) });
for (const warning of warnings) log.warning(warning.message);

const ddi = new DdiClient({
  server: config.hawkbitServer,
  ssl: config.ssl,
  tenant: config.tenantId,
  controllerId: config.targetName,
  auth: config.auth,
  timeoutMs: config.timeoutMs,
  log,
});
const signal = AbortSignal.timeout(120_000);

const poll = await ddi.poll({ signal });
if (poll.configData) await poll.configData.send(config.device, 'merge', { signal });

if (poll.deployment) {
  const deployment = await poll.deployment.fetch({ signal });
  const names = deployment.chunks.map((chunk) => `${chunk.name} ${chunk.version}`).join(', ');
  await poll.deployment.feedback(buildFeedback('proceeding', 'none', { details: `installing ${names}` }), { signal });
  const installed = await install(deployment);
  const result = buildFeedback('closed', installed ? 'success' : 'failure', { details: `${names}: ${installed ? 'installed' : 'failed'}` });
  await poll.deployment.feedback(result, { signal });
  log.message(`action ${deployment.id}: reported ${result.finished}`);
} else {
  log.message(`nothing to do; hawkBit asks for the next poll in ${poll.sleepMs / 1000} s`);
}

/** Stands for your own installer: here it only lists what it would fetch. */
async function install(deployment: Deployment): Promise<boolean> {
  for (const chunk of deployment.chunks) {
    for (const artifact of chunk.artifacts) log.info(`${chunk.part}: ${artifact.filename} (${artifact.size ?? '?'} bytes)`);
  }
  return deployment.chunks.length > 0;
}
