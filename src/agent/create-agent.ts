import { configSecrets, type Config } from '../config/index.js';
import { DdiClient } from '../ddi/index.js';
import { checkFreeSpace, Downloader, removeStaleParts, safeFilename, type SlotPoolCache } from '../download/index.js';
import { Redactor, type Logger } from '../log/index.js';
import { createTransport, type RetryPolicy, type Transport } from '../net/index.js';
import { DbusInstaller, type Installer } from '../rauc/index.js';
import { LinuxSystem, SyncedClock, type Clock, type System } from '../system/index.js';
import { firstDirectory } from '../lib/systemd-directory.js';
import { packageVersion } from '../version.js';
import { Agent } from './agent.js';
import type { AgentDependencies, ArtifactDownloader } from './context.js';
import { StateStore, type StateStoreOptions } from './state-store.js';
import { StatusBoard } from './status-board.js';
import { checkpointFromEnv, freezeOnPersistFromEnv, moveRecorderFromEnv } from './test-checkpoint.js';

export interface CreateAgentOptions {
  readonly log: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** Substitutes for tests and embedders; the real ones are built from the config otherwise. */
  readonly installer?: Installer;
  readonly system?: System;
  readonly onPersist?: StateStoreOptions['onPersist'];
  /**
   * The redaction step for the status file, the state file and feedback (give the logger's, so that one
   * step covers every output); built from the config's secrets when absent.
   */
  readonly redactor?: Redactor;
  /** Decides when feedback carries a `timestamp`; default: the system clock once it is synchronised. */
  readonly clock?: Clock;
  /** The DDI client's retries of one call (tests scale them down); default RETRY_POLICIES.ddiCall (src/net). */
  readonly ddiRetry?: Partial<RetryPolicy>;
  /** The clock of the progress throttles (tests run it faster); default Date.now. */
  readonly now?: () => number;
  /**
   * Connections shared with other agents (the fleet's virtual devices); built from the config when
   * absent. A given transport is not destroyed by close(): its owner does that.
   */
  readonly transport?: Transport;
  /**
   * The status board (what `hawkbit-rauc status` reads); default: state_dir/status.json, kept in the
   * runtime directory systemd passes as RUNTIME_DIRECTORY (`RuntimeDirectory=`) when there is one.
   */
  readonly status?: StatusBoard;
  /** Wraps the downloader the agent uses (the fleet stores artifacts once, or hashes and discards them). */
  readonly wrapDownloader?: (downloader: ArtifactDownloader) => ArtifactDownloader;
  /** Download memory and hash threads kept across downloads (the fleet's, for all its devices); owned by the caller. */
  readonly downloadPools?: SlotPoolCache;
}

export interface AgentAssembly {
  readonly agent: Agent;
  readonly deps: AgentDependencies;
  /** Closes connections (keep-alive sockets, D-Bus). */
  close(): Promise<void>;
}

/** Builds the agent and everything it stands on from a validated config (the composition of main.ts). */
export function createAgent(config: Config, options: CreateAgentOptions): AgentAssembly {
  const { log } = options;
  const env = options.env ?? process.env;
  const redactor = options.redactor ?? new Redactor(configSecrets(config, env));
  const transport: Transport = options.transport ?? createTransport({ ...config, env });
  const clock = options.clock ?? new SyncedClock({ log: log.child({ component: 'system' }) });
  const ddi = new DdiClient({
    server: config.hawkbitServer,
    ssl: config.ssl,
    tenant: config.tenantId,
    controllerId: config.targetName,
    auth: config.auth,
    timeoutMs: config.timeoutMs,
    sendDownloadAuthentication: config.sendDownloadAuthentication,
    log: log.child({ component: 'ddi' }),
    transport,
    userAgent: `hawkbit-rauc/${packageVersion()}`,
    timestamp: () => clock.timestamp(),
    redactor,
    ...(options.ddiRetry ? { retry: options.ddiRetry } : {}),
  });
  const realDownloader = new Downloader({
    log: log.child({ component: 'download' }),
    httpAgent: transport.httpAgent,
    httpsAgent: transport.httpsAgent,
    connectTimeoutMs: config.connectTimeoutMs,
    lowSpeedTimeMs: config.lowSpeedTimeMs,
    lowSpeedRate: config.lowSpeedRate,
    speedLimit: config.downloadSpeedLimit,
    resume: config.resumeDownloads,
    retries: config.downloadRetries,
    allowUnverified: config.allowUnverifiedDownloads,
    ...(options.downloadPools ? { pools: options.downloadPools } : {}),
  });
  const downloader = options.wrapDownloader ? options.wrapDownloader(realDownloader) : realDownloader;
  const installer = options.installer ?? new DbusInstaller({ log: log.child({ component: 'rauc' }), env });
  const system = options.system ?? new LinuxSystem({ log: log.child({ component: 'system' }), env });
  const freeze = freezeOnPersistFromEnv(env);
  const onPersist = options.onPersist ?? freeze;
  const store = new StateStore(config.stateDir, { log, redactor, ...(onPersist ? { onPersist } : {}) });
  const checkpoint = checkpointFromEnv(env, log);
  const moves = moveRecorderFromEnv(env);
  const deps: AgentDependencies = {
    config,
    ddi,
    downloader,
    storage: { checkFreeSpace, removeStaleParts, safeFilename },
    installer,
    system,
    store,
    status: options.status ?? new StatusBoard(config.stateDir, log, redactor, firstDirectory(env.RUNTIME_DIRECTORY)),
    log: log.child({ component: 'agent' }),
    ...(options.now ? { now: options.now } : {}),
    ...(checkpoint ? { checkpoint } : {}),
    ...(moves ? { moves } : {}),
  };
  return {
    agent: new Agent(deps),
    deps,
    close: async () => {
      if (!options.transport) transport.destroy();
      await installer.close().catch(() => undefined);
    },
  };
}
