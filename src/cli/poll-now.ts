import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { readStatus } from '../agent/index.js';
import type { Config } from '../config/index.js';
import { delay } from '../lib/abort.js';
import { systemErrorCode } from '../lib/errors.js';
import { POLL_NOW_SIGNAL } from '../main.js';
import { ExitCode } from './exit-codes.js';

export interface PollNowOptions {
  readonly signal: AbortSignal;
  /** How long to wait for the poll's result; default: the API timeout plus the connect timeout, at least 30 s. */
  readonly waitMs?: number;
}

/**
 * `poll-now`: finds the running service through its status file in state_dir, sends it SIGUSR2 and
 * waits until the status file records a poll that ended after the signal, then prints what it found.
 * Exit 0 when the service answered (even if the poll failed: that is printed), 1 when no service runs
 * for this state_dir, the signal is not allowed, or no poll ended in time.
 */
export async function pollNow(config: Config, out: Writable, err: Writable, options: PollNowOptions): Promise<number> {
  const fail = (message: string) => {
    err.write(`${message}\n`);
    return ExitCode.FAILURE;
  };
  const status = await readStatus(config.stateDir);
  if (status === undefined || status.activity === 'stopped') return fail(`no hawkbit-rauc service is running for state_dir ${config.stateDir}`);
  if (!(await isOurService(status.pid))) return fail(`no hawkbit-rauc service is running for state_dir ${config.stateDir} (pid ${status.pid} in its status file is gone)`);
  const asked = Date.now();
  try {
    process.kill(status.pid, POLL_NOW_SIGNAL);
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'EPERM') return fail(`not allowed to signal the service (pid ${status.pid}): run as root or as the service's user`);
    return fail(`cannot signal the service (pid ${status.pid}): ${code ?? String(error)}`);
  }
  const waitMs = options.waitMs ?? Math.max(30_000, config.timeoutMs + config.connectTimeoutMs);
  for (const deadline = asked + waitMs; Date.now() < deadline && !options.signal.aborted; ) {
    await delay(100, { signal: options.signal }).catch(() => undefined);
    const now = await readStatus(config.stateDir);
    const found = now?.lastPollFound;
    if (found !== undefined && Date.parse(found.at) >= asked) {
      out.write(`${found.failed ? 'polled, and the poll failed' : 'polled'} at ${found.at}: ${found.found}\n`);
      return ExitCode.OK;
    }
  }
  return fail(`the service (pid ${status.pid}) did not report a poll within ${Math.round(waitMs / 1000)} s`);
}

/** The pid still runs this program (a stale status file may name a pid reused by something else). */
async function isOurService(pid: number): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return /hawkbit-rauc|cli\.js/.test(cmdline);
  } catch {
    return false;
  }
}
