import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Checkpoint } from '../../src/agent/test-checkpoint.js';
import { actionTransactionId } from '../../src/agent/transaction-id.js';
import { silentLogger } from '../../src/log/index.js';
import { DbusInstaller } from '../../src/rauc/index.js';
import { FakeHawkbit } from '../fakes/hawkbit/index.js';
import { exited, tail, terminate } from '../harness/process.js';
import { RAUC_VERSIONS, RaucEnvironment } from '../harness/rauc-environment.js';
import { feedbackChain } from '../helpers/agent-harness.js';
import { configText } from '../helpers/config-text.js';
import { CLI } from '../helpers/run-cli.js';

/**
 * The built service as a child process against real RAUC (1.8 and 1.13), killed with SIGKILL at the points
 * around the InstallBundle call (HAWKBIT_RAUC_TEST_PAUSE_AT holds it there), then started again on
 * the same state: a bundle RAUC never started is installed now (once), one RAUC completed is
 * reported; RAUC's installed.count of the written slot ends at 1 either way, and hawkBit gets one result.
 */
const TOKEN = 'kill-test-target-token-7c1d';

interface Row {
  /** `installing-feedback`: while the service waits for hawkBit's answer to "Installing … with RAUC" (held back by the server). */
  readonly point: Checkpoint | 'installing-feedback';
  /** rootfs.1's installed.count right after the kill. */
  readonly countAtKill: number;
  readonly log: RegExp;
}

const ROWS: readonly Row[] = [
  // The window of the field report: the feedback is on its way, RAUC not called yet (no test hook needed);
  // `installing` is on disk with the handover record, so the restart judges it from RAUC's slot status.
  { point: 'installing-feedback', countAtKill: 0, log: /RAUC shows no trace of rootfs-2\.0\.raucb \(2\.0\): it never started before the restart/ },
  // Before the handover record (and with it `installing`) is written: the action is still `downloaded`.
  { point: 'before-handover', countAtKill: 0, log: /resuming action \d+ in phase 'downloaded'/ },
  // The handover record is on disk, InstallBundle is the next step.
  { point: 'before-install', countAtKill: 0, log: /RAUC shows no trace of rootfs-2\.0\.raucb \(2\.0\): it never started before the restart/ },
  // RAUC completed; the agent recorded nothing more.
  { point: 'after-install', countAtKill: 1, log: /RAUC completed rootfs-2\.0\.raucb into rootfs\.1 before the restart/ },
];

for (const version of RAUC_VERSIONS) {
  for (const row of ROWS) {
    test(`real RAUC ${version}, the service killed (SIGKILL) at ${row.point}: after the restart RAUC has installed the bundle once and hawkBit has one success`, async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'hr-kill-'));
      const rauc = await RaucEnvironment.start({ version, bootSlot: 'A', dir: join(dir, 'rauc'), shared: [dir] });
      let installingFeedback = false;
      const hb = await FakeHawkbit.start({
        pollingSleep: '00:00:01',
        onRequest: (request) => {
          if (row.point !== 'installing-feedback' || installingFeedback || !JSON.stringify(request.body ?? '').includes('with RAUC')) return;
          installingFeedback = true;
          hb.delayNext(120_000, { match: /\/feedback$/ });
        },
      });
      const children: ChildProcess[] = [];
      t.teardown(async () => {
        for (const child of children) await terminate(child, 5_000).catch(() => undefined);
        await hb.close();
        await rauc.stop();
        await rm(dir, { recursive: true, force: true });
      });
      const target = hb.addTarget('device-kill', { token: TOKEN });
      const config = join(dir, 'hawkbit-rauc.conf');
      await mkdir(join(dir, 'downloads'));
      await writeFile(join(dir, 'boot_id'), 'c6f4a0a2-1b8e-4b57-9a0e-3f1d2f5a7b10\n');
      await writeFile(config, configText({
        client: {
          hawkbit_server: hb.hostPort,
          ssl: 'false',
          tenant_id: hb.tenant,
          target_name: 'device-kill',
          auth_token: TOKEN,
          bundle_download_location: join(dir, 'downloads', 'update.raucb'),
          state_dir: join(dir, 'state'),
          retry_wait: '1',
          active_poll_interval: '1',
          log_level: 'debug',
        },
      }), { mode: 0o600 });
      const bundle = await readFile(await rauc.buildBundle({ version: '2.0' }));
      const { actionId } = target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'rootfs-2.0.raucb', content: bundle }] }] });

      const output = tail(60_000);
      const start = (env: NodeJS.ProcessEnv = {}) => {
        const child = spawn(process.execPath, [CLI, '-c', config], {
          env: { ...process.env, ...rauc.env, HAWKBIT_RAUC_BOOT_ID_FILE: join(dir, 'boot_id'), ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
        children.push(child);
        return child;
      };
      const waitFor = async (what: string, check: () => boolean, timeoutMs = 60_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!check()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output.text}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      const installer = new DbusInstaller({ bus: { address: rauc.busAddress }, log: silentLogger() });
      t.teardown(() => installer.close());
      const count = async () => (await installer.slotStatus()).find((slot) => slot.name === 'rootfs.1')!.raw['installed.count'] ?? 0;

      const first = start(row.point === 'installing-feedback' ? {} : { HAWKBIT_RAUC_TEST_PAUSE_AT: row.point });
      if (row.point === 'installing-feedback') await waitFor('the "Installing … with RAUC" feedback', () => installingFeedback);
      else await waitFor(`the checkpoint ${row.point}`, () => output.text.includes(`test checkpoint '${row.point}' reached`));
      first.kill('SIGKILL');
      await exited(first);
      t.is(first.signalCode, 'SIGKILL');
      t.is((await installer.properties()).operation, 'idle');
      t.is(await count(), row.countAtKill, `rootfs.1 installed.count right after the kill at ${row.point}`);
      t.is(target.action(actionId).status, 'active', 'no result reached hawkBit before the kill');

      const second = start();
      await waitFor('the action to close', () => target.action(actionId).status !== 'active');
      await terminate(second, 20_000);

      const chain = feedbackChain(target, actionId);
      t.is(target.action(actionId).status, 'finished', output.text);
      t.is(chain.filter((entry) => entry.startsWith('closed/')).length, 1, chain.join(' '));
      t.true(chain.includes('resumed/none'), chain.join(' '));
      t.regex(output.text, row.log);
      t.is(await count(), 1, "RAUC's installed.count: the bundle was installed exactly once");
      t.like((await installer.slotStatus()).find((slot) => slot.name === 'rootfs.1'), { bundleVersion: '2.0', bootStatus: 'good' });
      t.is(await installer.primary(), 'rootfs.1');
      const transaction = (await installer.slotStatus()).find((slot) => slot.name === 'rootfs.1')?.transaction;
      t.is(transaction, version === '1.8' ? undefined : actionTransactionId({ hawkbitServer: hb.hostPort, tenantId: hb.tenant, targetName: 'device-kill' }, actionId), 'the action\'s transaction (RAUC 1.13)');
    });
  }
}
