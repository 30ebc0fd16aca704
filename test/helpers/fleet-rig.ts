import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/index.js';
import { numberedDevices, runFleet, type FleetOptions, type FleetReport, type VirtualDevice } from '../../src/fleet/index.js';
import { Redactor, silentLogger } from '../../src/log/index.js';
import type { FakeHawkbit } from '../fakes/hawkbit/index.js';
import { configText } from './config-text.js';

export const GATEWAY_TOKEN = 'fleet-gateway-token-0123456789';

/** The `[client]` keys of a fleet config for `server` (host:port, plain http): the fleet sets target_name, state_dir and the download location per device. */
export function fleetClientKeys(server: string, dir: string, gatewayToken: string, pollSeconds = 2): Record<string, string | null> {
  return {
    hawkbit_server: server,
    ssl: 'false',
    tenant_id: 'DEFAULT',
    target_name: 'unused',
    auth_token: null,
    gateway_token: gatewayToken,
    bundle_download_location: join(dir, 'unused.raucb'),
    state_dir: join(dir, 'unused'),
    active_poll_interval: String(pollSeconds),
    retry_wait: String(pollSeconds),
  };
}

/** A fleet directory and a config (gateway token) for the fake hawkBit `hb`. */
export async function fleetSetup(hb: FakeHawkbit, client: Record<string, string> = {}): Promise<{ dir: string; config: Config; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-fleet-'));
  const file = join(dir, 'fleet.conf');
  await writeFile(file, configText({ client: { ...fleetClientKeys(hb.hostPort, dir, GATEWAY_TOKEN, 1), tenant_id: hb.tenant, ...client } }));
  return { dir: join(dir, 'fleet'), config: loadConfig(file).config, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** FleetOptions for tests: quick installs and reboots, no ramp-up, no view. */
export function fleetOptions(dir: string, config: Config, devices: readonly VirtualDevice[], overrides: Partial<FleetOptions> = {}): FleetOptions {
  return {
    dir,
    devices,
    config,
    log: silentLogger(),
    redactor: new Redactor([GATEWAY_TOKEN]),
    clock: { timestamp: () => undefined },
    env: {},
    compatible: 'fleet-test',
    installMs: 100,
    rebootMs: 100,
    failureRate: () => 0,
    rollbackRate: 0,
    artifacts: 'discard',
    rampUpMs: 0,
    limits: {
      read: { concurrency: Number.POSITIVE_INFINITY, perSecond: Number.POSITIVE_INFINITY },
      download: { concurrency: 8, perSecond: Number.POSITIVE_INFINITY },
      write: { concurrency: 8, perSecond: Number.POSITIVE_INFINITY },
    },
    end: { whenDone: true, idleMs: undefined, durationMs: 60_000 },
    viewIntervalMs: 200,
    ...overrides,
  };
}

export function runTestFleet(options: FleetOptions, signal = new AbortController().signal): Promise<FleetReport> {
  return runFleet(options, signal);
}

export { numberedDevices };
