import { ddiRetryAfterMs, type DeploymentHandle, type PollResult } from '../ddi/index.js';
import { RETRY_POLICIES, retryDelayMs } from '../net/index.js';
import { describeFeatures } from '../rauc/index.js';
import { delay, linkSignals } from '../lib/abort.js';
import { errorMessage, HawkbitRaucError } from '../lib/errors.js';
import { LifecycleRunner } from './lifecycle-runner.js';
import type { RunEnd } from './lifecycle-types.js';
import { collectAttributes, sameAttributes } from './attributes.js';
import { InstalledBaseCheck } from './installed-base.js';
import type { AgentDependencies } from './context.js';
import { isDroppable } from './lifecycle.js';
import { summarizePoll } from './poll-summary.js';
import { LoopHeartbeat, stallLimitMs, startWatchdog } from '../system/index.js';
import type { PhaseKind } from './state.js';
import { isoTime } from '../lib/iso-time.js';

const ATTRIBUTE_PROBE_MS = 60_000;

class CanceledByServer extends HawkbitRaucError {
  override readonly name = 'CanceledByServer';
  readonly code = 'CANCELED';
}

interface Job {
  readonly actionId: string;
  readonly controller: AbortController;
  readonly done: Promise<RunEnd | undefined>;
}

/** The result of `runOnce`: what happened to the action the poll offered, if any. */
export interface OnceResult {
  /** The action the poll offered, if any. */
  readonly actionId: string | undefined;
  /** How its run ended (undefined: it was stopped or failed unexpectedly). */
  readonly end: RunEnd | undefined;
  /** Why the poll failed (the server unreachable, a refused credential, …); absent when it succeeded. */
  readonly error?: unknown;
}

/**
 * The update agent: polls hawkBit, runs one action at a time through the persisted lifecycle, answers
 * cancel and confirmation requests, and keeps the target's attributes current.
 */
export class Agent {
  readonly #deps: AgentDependencies;
  readonly #runner: LifecycleRunner;
  readonly #installedBase: InstalledBaseCheck;
  #job: Job | undefined;
  #localPending = true;
  #lastAttributes: Record<string, string> | undefined;
  #raucSeen = false;
  /** Attributes are collected again at start, after each action, and (until RAUC answers) once a minute. */
  #attributesDue = true;
  #lastAttributeProbe = 0;
  /** Phase of the persisted action at start: the first feedback for it says `resumed`. */
  #resumedFrom: { actionId: string; kind: PhaseKind } | undefined;
  /** Action whose state file was damaged at start: reported as failed when the server offers it. */
  #interrupted: string | undefined;
  /** Aborted by pollNow() or by run()'s signal; replaced after a wait pollNow() ended. */
  #wake = new AbortController();
  /** The last poll's failure, for runOnce. */
  #pollError: unknown;
  #once = false;

  /** Loop progress for the watchdog; downloads and installations beat it through `deps`. */
  readonly #heartbeat: LoopHeartbeat;

  constructor(deps: AgentDependencies) {
    this.#heartbeat = deps.heartbeat ?? defaultHeartbeat(deps);
    this.#deps = { ...deps, heartbeat: this.#heartbeat };
    this.#runner = new LifecycleRunner(this.#deps);
    this.#installedBase = new InstalledBaseCheck(this.#deps);
  }

  /** Polls until `signal` aborts; resolves (never rejects) on abort, with the state kept. */
  async run(signal: AbortSignal): Promise<void> {
    const watchdog = this.#startWatchdog();
    // The wait between polls listens to one signal: the wake-up, which the run's end aborts too (one link
    // for the whole run, not one per poll: docs/performance.md › Levers, tenth round).
    const stopWaiting = () => this.#wake.abort();
    signal.addEventListener('abort', stopWaiting, { once: true });
    try {
      await this.#start(signal);
      await this.#deps.system.notify({ READY: '1', STATUS: 'polling' });
      // A poll asked for (pollNow) has its result written out in full, not only as the status file's time.
      let asked = false;
      while (!signal.aborted) {
        this.#heartbeat.beat();
        const sleepMs = await this.#iteration(signal, asked);
        this.#heartbeat.beat(sleepMs);
        asked = await this.#sleep(sleepMs, signal);
      }
      await this.#stop();
    } finally {
      signal.removeEventListener('abort', stopWaiting);
      watchdog?.stop();
    }
  }

  /** One poll; an action it offers is carried as far as it goes now. `error` is set when the poll failed. */
  async runOnce(signal: AbortSignal): Promise<OnceResult> {
    const watchdog = this.#startWatchdog();
    try {
      await this.#start(signal);
      this.#pollError = undefined;
      this.#once = true;
      await this.#iteration(signal);
      const job = this.#job;
      const end = job ? await job.done : undefined;
      await this.#stop();
      return { actionId: job?.actionId, end, ...(this.#pollError === undefined ? {} : { error: this.#pollError }) };
    } finally {
      watchdog?.stop();
    }
  }

  /** WATCHDOG=1 from a timer while the loop makes progress (no-op without WATCHDOG_USEC). */
  #startWatchdog() {
    this.#heartbeat.beat();
    return startWatchdog({ system: this.#deps.system, heartbeat: this.#heartbeat, log: this.#deps.log });
  }

  async #start(signal: AbortSignal): Promise<void> {
    const recovery = await this.#deps.store.load();
    this.#interrupted = recovery?.actionId;
    const phase = this.#deps.store.phase;
    if (phase.kind !== 'idle') {
      this.#resumedFrom = { actionId: phase.action.id, kind: phase.kind };
      this.#deps.log.message(`resuming action ${phase.action.id} in phase '${phase.kind}'`);
    }
    this.#deps.status.set({ activity: phase.kind === 'idle' ? 'idle' : `resuming ${phase.kind}` });
    await this.#logRaucFeatures(signal);
    await this.#settleLocal(signal);
  }

  /** Once per start: what this RAUC offers beyond 1.8 (its D-Bus introspection; docs/rauc.md). */
  async #logRaucFeatures(signal: AbortSignal): Promise<void> {
    try {
      this.#deps.log.message(`RAUC features: ${describeFeatures(await this.#deps.installer.features({ signal }))}`);
    } catch (error) {
      if (signal.aborted) throw error;
      this.#deps.log.warning(`RAUC features not read at start (${errorMessage(error)}); read again when an install needs them`);
    }
  }

  async #stop(): Promise<void> {
    const job = this.#job;
    job?.controller.abort(new Error('the update service is stopping'));
    await job?.done.catch(() => undefined);
    await this.#deps.system.notify({ STOPPING: '1' });
    this.#deps.status.set({ activity: 'stopped' });
    await this.#deps.status.flush();
    await this.#deps.installer.close().catch(() => undefined);
  }

  async #settleLocal(signal: AbortSignal): Promise<void> {
    if (!this.#localPending || this.#job) return;
    this.#localPending = (await this.#runner.resume(signal)) === 'retry';
  }

  /** Returns how long to sleep before the next poll. */
  async #iteration(signal: AbortSignal, asked = false): Promise<number> {
    const { config, log } = this.#deps;
    try {
      await this.#settleLocal(signal);
      const result = await this.#deps.ddi.poll({ signal });
      const polledAt = isoTime();
      this.#deps.status.set({ lastPollAt: polledAt }, { defer: true });
      const running = this.#job?.actionId;
      await this.#handle(result, signal);
      const next = this.#job ? config.activePollIntervalMs : result.sleepMs > 0 ? result.sleepMs : config.retryWaitMs;
      // poll-now waits for this poll's time in the file, which a file system with coarse file times could round down.
      this.#deps.status.set({ lastPollFound: { at: polledAt, found: summarizePoll(result, running, next) } }, { rewrite: asked });
      return next;
    } catch (error) {
      if (signal.aborted) return 0;
      this.#pollError = error;
      // retry_wait (with jitter) is the device's back-off; the server's Retry-After can only lengthen it
      // (up to the policy's bound, which it then waits: there is always a wait).
      const wait = retryDelayMs({ ...RETRY_POLICIES.pollLoop, minDelayMs: config.retryWaitMs, maxDelayMs: config.retryWaitMs }, 0, ddiRetryAfterMs(error))!;
      log.warning(`poll failed: ${errorMessage(error)}${this.#once ? '' : `; next try in ${Math.round(wait / 1000)} s`}`);
      this.#deps.status.set({ lastError: errorMessage(error), lastPollFound: { at: isoTime(), found: `poll failed: ${errorMessage(error)}`, failed: true } });
      return wait;
    }
  }

  async #handle(result: PollResult, signal: AbortSignal): Promise<void> {
    await this.#sendAttributes(result, signal);
    if (result.cancel) {
      await this.#runner.cancel(result.cancel, (id) => this.#stopJob(id), signal);
    } else if (result.confirmation) {
      await this.#runner.confirm(result.confirmation, signal);
    } else if (result.deployment) {
      await this.#offer(result.deployment, signal);
    } else {
      await this.#noActionOffered(signal);
    }
  }

  /** A deployment link: start (or resume) its job unless one is running; the same id again is a no-op. */
  async #offer(handle: DeploymentHandle, signal: AbortSignal): Promise<void> {
    if (this.#job) {
      if (this.#job.actionId !== handle.actionId) {
        this.#deps.log.warning(`action ${handle.actionId} offered while action ${this.#job.actionId} runs; it is taken up afterwards`);
      }
      return;
    }
    const phase = this.#deps.store.phase;
    if (phase.kind !== 'idle' && phase.action.id !== handle.actionId && phase.kind !== 'confirming') {
      this.#deps.log.warning(`action ${phase.action.id} (phase '${phase.kind}') was replaced by action ${handle.actionId} on the server`);
      if (!isDroppable(phase.kind)) return;
      await this.#runner.drop(handle.actionId, signal);
    }
    const resumed = this.#resumedFrom?.actionId === handle.actionId ? this.#resumedFrom.kind : undefined;
    this.#resumedFrom = undefined;
    const controller = new AbortController();
    const linked = linkSignals([signal, controller.signal]);
    const jobSignal = linked.signal;
    const done = (async () => {
      if (this.#interrupted === handle.actionId) {
        this.#interrupted = undefined;
        return this.#runner.lost(handle, jobSignal);
      }
      return this.#runner.offer(handle, jobSignal, resumed);
    })()
      .catch((error: unknown) => {
        if (!jobSignal.aborted) this.#deps.log.error(`action ${handle.actionId}: ${errorMessage(error)}`);
        return undefined;
      })
      .finally(() => {
        linked.dispose();
        if (this.#job?.controller === controller) this.#job = undefined;
        this.#attributesDue = true;
      });
    this.#job = { actionId: handle.actionId, controller, done };
  }

  /** No action link: an action we still hold in a server-side phase is gone (canceled or closed elsewhere). */
  async #noActionOffered(signal: AbortSignal): Promise<void> {
    const phase = this.#deps.store.phase;
    if (this.#job || phase.kind === 'idle' || !isDroppable(phase.kind)) return;
    this.#deps.log.warning(`action ${phase.action.id} is no longer offered by the server; dropping it`);
    await this.#runner.drop(undefined, signal);
  }

  async #stopJob(actionId: string): Promise<boolean> {
    const job = this.#job;
    if (!job || job.actionId !== actionId) return false;
    job.controller.abort(new CanceledByServer(`action ${actionId} canceled by the server`));
    await job.done;
    return true;
  }

  /**
   * At start (once the server answers), when the server asks, and when they changed — which can only
   * happen through an update or RAUC appearing, so RAUC is not asked at every idle poll.
   */
  async #sendAttributes(result: PollResult, signal: AbortSignal): Promise<void> {
    const now = Date.now();
    const probeRauc = !this.#raucSeen && now - this.#lastAttributeProbe >= ATTRIBUTE_PROBE_MS;
    if (!result.configData && !this.#attributesDue && !probeRauc) return;
    if (this.#job && !result.configData) return;
    this.#lastAttributeProbe = now;
    const { attributes, rauc } = await collectAttributes(this.#deps.config.device, this.#deps.installer, this.#deps.log, signal);
    this.#raucSeen ||= rauc;
    if (rauc) Object.assign(attributes, await this.#installedBase.attributes(result.installed, signal));
    if (!result.configData && sameAttributes(this.#lastAttributes, attributes)) {
      this.#attributesDue = false;
      return;
    }
    const handle = result.configData ?? this.#deps.ddi.configData();
    try {
      await handle.send(attributes, 'merge', { signal });
      this.#lastAttributes = attributes;
      this.#attributesDue = false;
      this.#deps.log.info(`attributes sent (${Object.keys(attributes).length})`);
    } catch (error) {
      if (signal.aborted) throw error;
      this.#deps.log.warning(`attributes not sent: ${errorMessage(error)}`);
    }
  }

  /** Ends the current wait between polls (or skips the next one): `hawkbit-rauc poll-now`. */
  pollNow(): void {
    this.#wake.abort();
  }

  /** Waits before the next poll; pollNow() or the end of the run ends the wait early. True: pollNow() ended it. */
  async #sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    const wake = this.#wake.signal;
    if (!wake.aborted) await delay(ms, { signal: wake }).catch(() => undefined);
    if (!wake.aborted || signal.aborted) return false;
    this.#wake = new AbortController();
    return true;
  }
}

/** The stall limit for the watchdog: a DDI request may take its timeout after a minute of retries. */
function defaultHeartbeat(deps: AgentDependencies): LoopHeartbeat {
  const interval = deps.system.watchdogIntervalMs ?? 0;
  const callBudget = deps.config.timeoutMs > 0 ? RETRY_POLICIES.ddiCall.maxElapsedMs + deps.config.timeoutMs : Infinity;
  return new LoopHeartbeat({ stallMs: stallLimitMs(interval, callBudget) });
}
