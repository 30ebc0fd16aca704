import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Agent } from '../../../src/agent/agent.js';
import { createAgent } from '../../../src/agent/create-agent.js';
import { parseConfig } from '../../../src/config/index.js';
import type { DdiApi } from '../../../src/ddi/index.js';
import { createLogger, silentLogger } from '../../../src/log/index.js';
import { DbusInstaller } from '../../../src/rauc/index.js';
import { LoopHeartbeat, stallLimitMs, startWatchdog } from '../../../src/system/index.js';
import { FakeSystem } from '../../fakes/system/fake-system.js';
import { Capture } from '../../helpers/capture.js';
import { configText } from '../../helpers/config-text.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${what}`);
    await wait(20);
  }
}
const pings = (system: FakeSystem) => system.notifications.filter((state) => state.WATCHDOG === '1').length;

test('the heartbeat is stalled only past the stall limit, plus any grace asked for', (t) => {
  let now = 1_000;
  const heartbeat = new LoopHeartbeat({ stallMs: 100, now: () => now });
  now += 100;
  t.is(heartbeat.stalledForMs(), undefined);
  now += 1;
  t.is(heartbeat.stalledForMs(), 101);
  heartbeat.beat(500);
  now += 550;
  t.is(heartbeat.stalledForMs(), undefined, 'within grace + stall');
  heartbeat.beat();
  now += 60;
  t.is(heartbeat.stalledForMs(), undefined, 'a plain beat does not cut the grace short');
  now += 100;
  t.is(heartbeat.stalledForMs(), 160);
});

test('the stall limit: 3 watchdog intervals, at least 3 of the longest DDI requests, no limit without a timeout', (t) => {
  t.is(stallLimitMs(600_000, 120_000), 1_800_000);
  t.is(stallLimitMs(2_000, 120_000), 360_000);
  t.is(stallLimitMs(2_000, Infinity), Infinity);
});

test('the watchdog pings at a quarter of the interval while the heartbeat beats, stops when it stalls, resumes after', async (t) => {
  const system = new FakeSystem();
  system.watchdogIntervalMs = 200;
  // The heartbeat's clock is the test's: on a loaded machine a ping timer that fires late must not find
  // the loop stalled before the test stalls it (the watchdog's own timer runs in real time).
  let now = 0;
  const heartbeat = new LoopHeartbeat({ stallMs: 300, now: () => now });
  const logs = new Capture();
  const feeder = startWatchdog({ system, heartbeat, log: createLogger({ level: 'debug', format: 'text', stream: logs }) })!;
  t.teardown(() => feeder.stop());
  await until(() => pings(system) >= 2, 'two pings');
  now += 1_000;
  await until(() => logs.text.includes('no longer feeding the watchdog'), 'the stall is noticed');
  t.regex(logs.text, /the update loop made no progress for \d+ s: no longer feeding the watchdog, systemd restarts the service/);
  const atStall = pings(system);
  await wait(300);
  t.is(pings(system), atStall, 'no ping once the loop is stalled');
  heartbeat.beat();
  await wait(150);
  t.true(pings(system) > atStall, 'pings again once the loop made progress');
  t.regex(logs.text, /makes progress again/);
});

test('no watchdog without WATCHDOG_USEC', (t) => {
  t.is(startWatchdog({ system: new FakeSystem(), heartbeat: new LoopHeartbeat({ stallMs: 1 }), log: silentLogger() }), undefined);
});

test('an agent whose loop is stuck (a poll that never returns) stops feeding the watchdog', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-stuck-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = parseConfig(configText({ client: { ssl: 'false', state_dir: join(dir, 'state'), bundle_download_location: join(dir, 'b.raucb') } }), join(dir, 'c.conf')).config;
  const system = new FakeSystem();
  system.watchdogIntervalMs = 200;
  const logs = new Capture();
  const log = createLogger({ level: 'debug', format: 'text', stream: logs });
  const assembly = createAgent(config, { log, system, installer: new DbusInstaller({ bus: { address: 'unix:path=/nonexistent/bus' }, log }) });
  t.teardown(() => assembly.close());
  let polls = 0;
  // Stuck: the poll never settles on its own (only the stop ends it, so that the test can finish).
  const stuck: DdiApi = {
    ...assembly.deps.ddi,
    poll: (options = {}) => {
      polls++;
      return new Promise((_resolve, reject) => options.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true }));
    },
  };
  const agent = new Agent({ ...assembly.deps, ddi: stuck, heartbeat: new LoopHeartbeat({ stallMs: 600 }) });
  const controller = new AbortController();
  const running = agent.run(controller.signal);
  await until(() => polls === 1 && pings(system) >= 2, 'the first poll, and pings');
  t.truthy(system.notifications.find((state) => state.READY === '1'));
  await until(() => logs.text.includes('the update loop made no progress'), 'the stuck loop is noticed');
  const stalled = pings(system);
  await wait(600);
  t.is(pings(system), stalled, 'no more pings while the loop is stuck');
  t.is(polls, 1, 'still in the first poll');
  controller.abort(new Error('test over'));
  await running;
  t.truthy(system.notifications.find((state) => state.STOPPING === '1'));
});
