/**
 * `npm run demo`: one update from a real hawkBit to RAUC, watched live in the terminal.
 *
 * 1. hawkBit: HAWKBIT_URL (admin/admin unless HAWKBIT_USER/HAWKBIT_PASSWORD), else a local server built
 *    and started with scripts/hawkbit-server.sh (first time: Maven builds it, a minute or two);
 * 2. RAUC on a private D-Bus: real RAUC with file-backed slots (root, loop device, squashfs-tools), else
 *    the RAUC test service — said plainly;
 * 3. a target, a software module with a RAUC bundle and a distribution set, through the management API;
 * 4. the built agent (`node dist/cli.js`) as a child process, and a forced assignment;
 * 5. a live view until the action is closed; then the server stays up for exploring until Ctrl-C.
 *
 * HAWKBIT_RAUC_DEMO_RAUC=test-service uses the RAUC test service even where real RAUC could run.
 * `--exit-when-done` (or HAWKBIT_RAUC_DEMO_EXIT=1) exits after the update instead of waiting: exit 0
 * when the update succeeded. Everything (agent, RAUC, bus, local server, temp dir) is removed on exit.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HawkbitMgmt } from '../../test/e2e/hawkbit-mgmt.js';
import { createRelease } from '../../test/e2e/support.js';
import { startAgent, startRauc, type DemoAgent, type DemoRauc } from './device.js';
import { LiveView, readAgentView } from './live-view.js';
import { demoServer, stopLocalServer, type DemoServer } from './server.js';

/**
 * A line writer that survives its stream: once a write fails (EPIPE when the reader of `npm run demo
 * | tee log` died of the same Ctrl-C, EIO when the terminal is gone) it drops further output, so that
 * the clean-up never depends on anyone reading.
 */
function lineWriter(stream: NodeJS.WriteStream): { write(text: string): void; readonly broken: boolean } {
  let broken = false;
  stream.on('error', () => (broken = true));
  return {
    write(text) {
      if (broken || stream.destroyed) return;
      try {
        stream.write(text);
      } catch {
        broken = true;
      }
    },
    get broken() {
      return broken;
    },
  };
}

const out = lineWriter(process.stdout);
const err = lineWriter(process.stderr);
const say = (line = ''): void => out.write(`${line}\n`);
const step = (text: string): void => say(`\n== ${text}`);
const exitWhenDone = process.argv.includes('--exit-when-done') || process.env.HAWKBIT_RAUC_DEMO_EXIT === '1';

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
/** Runs every clean-up step once, each even when an earlier one failed; failures go to stderr too. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    // Last in, first out; a step registered while this runs (a set-up step that was under way) too.
    for (let fn = cleanups.pop(); fn; fn = cleanups.pop()) {
      await fn().catch((error: unknown) => {
        say(`cleanup: ${(error as Error).message}`);
        if (out.broken) err.write(`hawkbit-rauc demo: cleanup: ${(error as Error).message}\n`);
      });
    }
  })();
  return cleaning;
}

/**
 * The first SIGINT/SIGTERM/SIGHUP cleans up and exits at once during set-up; afterwards it ends the
 * watch or the exploring. The handlers stay installed: later signals (npm forwards the terminal's
 * Ctrl-C a second time; an impatient second Ctrl-C) must not kill the process halfway through the
 * clean-up.
 */
let settingUp = true;
let signalled: NodeJS.Signals | undefined;
const signalCodes: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
const interrupted = new Promise<void>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (signalled) return;
      signalled = signal;
      resolve();
      if (settingUp) void cleanup().then(() => process.exit(signalCodes[signal]));
    });
  }
});

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-demo-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  step('hawkBit');
  const progress = (line: string): void => say(`  ${line}`);
  // Registered before the start, so that an interrupted start is cleaned up too.
  if (!process.env.HAWKBIT_URL) cleanups.push(() => stopLocalServer(dir, progress));
  const server: DemoServer = await demoServer(dir, progress);
  say(`  ${server.local ? 'started locally' : 'using HAWKBIT_URL'}: ${server.url}`);
  const mgmt = new HawkbitMgmt({ url: server.url, user: server.user, password: server.password });
  await mgmt.enableTargetToken();
  await mgmt.setPollingTime('00:00:02').catch(() => say('  (polling time left as the server has it: it refused 2 s)'));

  step('RAUC');
  const rauc: DemoRauc = await startRauc(dir, { testService: process.env.HAWKBIT_RAUC_DEMO_RAUC === 'test-service' });
  cleanups.push(() => rauc.stop());
  if (rauc.kind === 'real') say('  real RAUC on a private D-Bus: slots A and B are files, the booted slot is A');
  else say(`  NOTE: real RAUC cannot run here (missing: ${rauc.why}); using the RAUC TEST SERVICE instead — it accepts the install but writes nothing`);

  step('provisioning: target, software module with the bundle, distribution set');
  const controllerId = `demo-device-${randomUUID().slice(0, 8)}`;
  const token = randomBytes(16).toString('hex');
  await mgmt.createTarget({ controllerId, securityToken: token });
  const release = await createRelease(mgmt, { content: await rauc.bundle('2.0'), version: '2.0', filename: 'rootfs-2.0.raucb' });
  say(`  target ${controllerId}; distribution set ${release.name} 2.0 (id ${release.distributionSetId}, ${(release.content.length / 1024 / 1024).toFixed(1)} MiB bundle)`);

  step('agent');
  const agent: DemoAgent = await startAgent({ dir, url: server.url, controllerId, token, rauc });
  cleanups.push(() => agent.stop());
  say(`  node dist/cli.js -c ${join(dir, 'hawkbit-rauc.conf')} (log: ${agent.logFile})`);

  step('update (forced assignment)');
  const actionId = await mgmt.assign(release.distributionSetId, controllerId, { type: 'forced' });
  settingUp = false;
  const view = new LiveView(process.stdout, {
    tty: process.stdout.isTTY === true && process.env.CI !== 'true' && process.env.TERM !== 'dumb',
    actionId,
    title: `hawkbit-rauc demo: ${controllerId} on ${server.url}`,
  });
  let success: boolean;
  try {
    success = await watch(mgmt, controllerId, actionId, agent, view);
  } finally {
    view.finish();
  }
  if (signalled) {
    say(`\n${signalled}: stopping and removing everything`);
    return signalCodes[signalled] ?? 1;
  }
  say(success ? '\nThe update succeeded.' : '\nThe update did not succeed (see the status history above and the agent log).');
  say('\nRAUC slot status:');
  say((await rauc.status()).trim().replace(/^/gm, '  '));

  if (exitWhenDone) return success ? 0 : 1;
  explore(server, controllerId, agent.logFile);
  await interrupted;
  return success ? 0 : 1;
}

/** Refreshes the view until the action is closed, the agent dies, or the user interrupts. */
async function watch(mgmt: HawkbitMgmt, controllerId: string, actionId: number, agent: DemoAgent, view: LiveView): Promise<boolean> {
  let stop = false;
  void interrupted.then(() => (stop = true));
  for (;;) {
    const [action, history, agentView] = await Promise.all([
      mgmt.getAction(controllerId, actionId),
      mgmt.getActionStatus(controllerId, actionId),
      readAgentView(agent.stateDir),
    ]);
    view.update({ action, history: [...history].reverse(), agent: agentView });
    if (!action.active) return action.detail === 'finished';
    if (agent.process.exitCode !== null || stop) return false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function explore(server: DemoServer, controllerId: string, logFile: string): void {
  step('explore');
  // HAWKBIT_PUBLIC_URL: how the user reaches the server when it differs (docker-compose.yml).
  const url = process.env.HAWKBIT_PUBLIC_URL ?? server.url;
  say(`  management API: ${url}/rest/v1   (user ${server.user}, password ${server.password})`);
  say(`  e.g. curl -u ${server.user}:${server.password} ${url}/rest/v1/targets/${controllerId}/actions`);
  say(`  DDI API of the device: ${url}/DEFAULT/controller/v1/${controllerId}`);
  if (server.local) {
    say('  Swagger UI and hawkBit\'s web UI: not available — the server built here from hawkBit\'s Maven modules has');
    say('  neither (the UI is the separate hawkbit-ui app; docker-compose.yml runs the official image, with its UI at /UI).');
  } else {
    say(`  web UI: ${url}/UI if this server includes it (the official image does; the server our scripts build does not)`);
  }
  say(`  agent log: ${logFile}`);
  say('\nThe server and the agent keep running. Ctrl-C stops and removes everything.');
}

const code = await main().catch((error: unknown) => {
  say(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
await cleanup();
process.exit(code);
