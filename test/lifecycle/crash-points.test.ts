import test from 'ava';
import type { PhaseKind } from '../../src/agent/state.js';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

/**
 * The crash-point table: the agent is killed at every persisted state (right after the state was
 * written, before any of its side effects; later writes fail as they would in a dead process), then a
 * new agent starts on the same state directory — after a reboot where the row says so. Every row must
 * end with exactly one final result, never a second installation, and `resumed` where the restarted
 * agent had something to report.
 */
interface Row {
  readonly crashAt: PhaseKind | 'mid-install';
  /** Which entry into that state (1 = first persist). */
  readonly occurrence?: number;
  readonly reboot: boolean;
  readonly powerLoss?: boolean;
  readonly result: 'finished' | 'error';
  readonly installs: number;
  readonly resumed: boolean;
}

const ROWS: readonly Row[] = [
  { crashAt: 'downloading', reboot: false, result: 'finished', installs: 1, resumed: true },
  { crashAt: 'downloaded', reboot: false, result: 'finished', installs: 1, resumed: true },
  { crashAt: 'installing', reboot: false, result: 'error', installs: 0, resumed: true },
  { crashAt: 'installing', occurrence: 2, reboot: false, result: 'error', installs: 0, resumed: true },
  { crashAt: 'mid-install', reboot: false, result: 'finished', installs: 1, resumed: true },
  { crashAt: 'reporting', reboot: false, result: 'finished', installs: 1, resumed: true },
  { crashAt: 'cleanup', reboot: false, result: 'finished', installs: 1, resumed: false },
  { crashAt: 'mid-install', reboot: true, result: 'finished', installs: 1, resumed: true },
  { crashAt: 'rebootPending', reboot: true, result: 'finished', installs: 1, resumed: true },
  { crashAt: 'rebootPending', reboot: true, powerLoss: true, result: 'finished', installs: 1, resumed: true },
  { crashAt: 'verifying', reboot: true, result: 'finished', installs: 1, resumed: true },
  { crashAt: 'reporting', reboot: true, result: 'finished', installs: 1, resumed: true },
  // The run after the reboot already reported with `resumed`; the kill comes after that.
  { crashAt: 'cleanup', reboot: true, result: 'finished', installs: 1, resumed: true },
];

const content = Buffer.from('bundle bytes '.repeat(20000));

for (const row of ROWS) {
  const name = `${row.reboot ? 'with reboot' : 'no reboot'}: killed at ${row.crashAt}${row.occurrence ? ` #${row.occurrence}` : ''}${row.powerLoss ? ' (power loss: restarts after a reboot)' : ''} → ${row.result}`;
  test(name, async (t) => {
    const h = await AgentHarness.start({ client: row.reboot ? { post_update_reboot: 'true' } : {}, fakeRauc: { bundle: { version: '2.0' }, delayMs: 10 } });
    t.teardown(() => h.stop());
    const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content }] }] });

    let killed = false;
    let seen = 0;
    const killedError = () => new Error('killed (crash-point test)');
    // Run until the crash point; a reboot the agent asks for on the way happens like in real life.
    for (let run = 0; run < 3 && !killed; run++) {
      const reboots = h.system.reboots.length;
      // Not "until the action is over": the kill may come after the server has the result (cleanup).
      await h.runUntil(() => killed || h.system.reboots.length > reboots, {
        onStart: (stop) => {
          if (row.crashAt === 'mid-install') {
            h.fakeRauc!.configure({ onCall: (call) => {
              if (call.method === 'InstallBundle' && !killed) {
                killed = true;
                stop();
              }
            } });
          }
        },
        onPersist: (state, stop) => {
          if (killed) throw killedError();
          if (state.phase.kind === row.crashAt && ++seen === (row.occurrence ?? 1)) {
            killed = true;
            stop();
            throw killedError();
          }
        },
      });
      if (!killed && h.system.reboots.length > reboots) await h.reboot();
    }
    t.true(killed, 'the crash point was reached');
    h.fakeRauc!.configure({ onCall: () => undefined });
    if (row.powerLoss) await h.reboot();

    await h.driveToEnd(actionId);

    t.is(h.target.action(actionId).status, row.result);
    const chain = feedbackChain(h.target, actionId);
    t.is(chain.filter((entry) => entry.startsWith('closed/')).length, 1, chain.join(' '));
    t.is(h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length, row.installs);
    t.is(chain.includes('resumed/none'), row.resumed, chain.join(' '));
  });
}
