import test from 'ava';
import type { PhaseKind } from '../../src/agent/state.js';
import type { Checkpoint } from '../../src/agent/test-checkpoint.js';
import { AgentHarness, feedbackChain } from '../helpers/agent-harness.js';

/**
 * The crash-point table: the agent is killed at every persisted state (right after the state was
 * written, before any of its side effects; later writes fail as they would in a dead process), then a
 * new agent starts on the same state directory — after a reboot where the row says so. Every row must
 * end with exactly one final result, never a second installation, and `resumed` where the restarted
 * agent had something to report.
 * `installing` of a single bundle is persisted once: on entering it, with the handover record right
 * before InstallBundle (#1); the step past the bundle goes with the move out of it. The points around
 * that write that are not persisted states are test pause points (HAWKBIT_RAUC_TEST_PAUSE_AT), where
 * the agent is stopped: `before-handover` (still `downloaded`, nothing handed to RAUC) and
 * `after-install` (RAUC completed, nothing recorded yet). A bundle RAUC never started is installed by
 * the restarted agent; one RAUC started and abandoned is a failure.
 */
interface Row {
  readonly crashAt: PhaseKind | 'mid-install' | Checkpoint;
  /** Which entry into that state (1 = first persist). */
  readonly occurrence?: number;
  readonly reboot: boolean;
  readonly powerLoss?: boolean;
  readonly result: 'finished' | 'error';
  readonly installs: number;
  readonly resumed: boolean;
  /** RAUC dies at this progress step of the install the kill interrupts (and is back at once). */
  readonly raucDiesAt?: string;
  /** What the final feedback must say. */
  readonly detail?: RegExp;
}

const ROWS: readonly Row[] = [
  { crashAt: 'downloading', reboot: false, result: 'finished', installs: 1, resumed: true },
  { crashAt: 'downloaded', reboot: false, result: 'finished', installs: 1, resumed: true },
  // Killed before RAUC was called (before `installing` was written; then with its handover record): the restarted agent installs the bundle (once).
  { crashAt: 'before-handover', reboot: false, result: 'finished', installs: 1, resumed: true },
  { crashAt: 'installing', reboot: false, result: 'finished', installs: 1, resumed: true },
  // Killed after RAUC completed, before the agent went on: reported, not installed again.
  { crashAt: 'after-install', reboot: false, result: 'finished', installs: 1, resumed: true },
  { crashAt: 'mid-install', reboot: false, result: 'finished', installs: 1, resumed: true },
  // RAUC died while writing the slot (marked bad before the copy): a failure, never installed again.
  { crashAt: 'mid-install', reboot: false, raucDiesAt: 'Copying image to rootfs.1', result: 'error', installs: 1, resumed: true, detail: /RAUC started it but did not complete it \(rootfs\.1 boot-status good → bad\)/ },
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
  const name = `${row.reboot ? 'with reboot' : 'no reboot'}: killed at ${row.crashAt}${row.occurrence ? ` #${row.occurrence}` : ''}${row.powerLoss ? ' (power loss: restarts after a reboot)' : ''}${row.raucDiesAt ? ', RAUC dies while writing' : ''} → ${row.result}`;
  test(name, async (t) => {
    const h = await AgentHarness.start({ client: row.reboot ? { post_update_reboot: 'true' } : {}, fakeRauc: { bundle: { version: '2.0' }, delayMs: 10, ...(row.raucDiesAt ? { dieAt: row.raucDiesAt } : {}) } });
    t.teardown(() => h.stop());
    const { actionId } = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '2.0', artifacts: [{ filename: 'u.raucb', content }] }] });

    let killed = false;
    let seen = 0;
    const killedError = () => new Error('killed (crash-point test)');
    const pause = row.crashAt === 'before-handover' || row.crashAt === 'after-install' ? row.crashAt : undefined;
    // Stopped (nothing written after it) once the agent waits at the pause point.
    const paused = () => pause !== undefined && (killed ||= h.logs.text.includes(`test checkpoint '${pause}' reached`));
    // Run until the crash point; a reboot the agent asks for on the way happens like in real life.
    for (let run = 0; run < 3 && !killed; run++) {
      const reboots = h.system.reboots.length;
      // Not "until the action is over": the kill may come after the server has the result (cleanup).
      await h.runUntil(() => paused() || killed || h.system.reboots.length > reboots, {
        ...(pause ? { env: { HAWKBIT_RAUC_TEST_PAUSE_AT: pause } } : {}),
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
    h.fakeRauc!.configure({ onCall: () => undefined, dieAt: undefined });
    if (row.powerLoss) await h.reboot();

    await h.driveToEnd(actionId);

    t.is(h.target.action(actionId).status, row.result);
    const chain = feedbackChain(h.target, actionId);
    t.is(chain.filter((entry) => entry.startsWith('closed/')).length, 1, chain.join(' '));
    t.is(h.fakeRauc!.calls.filter((call) => call.method === 'InstallBundle').length, row.installs);
    t.is(chain.includes('resumed/none'), row.resumed, chain.join(' '));
    if (row.detail) t.regex(JSON.stringify(h.target.feedback.filter((record) => record.actionId === actionId).at(-1)!.body), row.detail);
  });
}
