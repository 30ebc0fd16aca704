import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { FakeHawkbit } from '../fakes/hawkbit/index.js';
import { FakeRaucService } from '../fakes/rauc/fake-rauc-service.js';
import { startPrivateBus } from '../harness/dbus-daemon.js';
import { terminate } from '../harness/process.js';
import { configText } from '../helpers/config-text.js';
import { NotifySocket, perSecond } from '../helpers/notify-socket.js';
import { CLI } from '../helpers/run-cli.js';

// The real CLI under a stand-in for systemd: NOTIFY_SOCKET is a unix datagram socket the test reads,
// WATCHDOG_USEC asks for a ping at least every 2 s. The pings must not depend on the server.
const WATCHDOG_USEC = '2000000';
const WINDOW_SECONDS = 6;
const TOKEN = 'watchdog-token-5e1c';

// Serial: each test counts pings per second; they need no company on a 2-core machine.

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

interface Service {
  readonly child: ChildProcess;
  readonly notify: NotifySocket;
  stderr(): string;
  readonly exit: Promise<number | null>;
}

async function startService(t: { teardown(fn: () => unknown): void }, client: Record<string, string | null>, options: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'hr-watchdog-'));
  const file = join(dir, 'c.conf');
  writeFileSync(file, configText({ client: { ssl: 'false', auth_token: TOKEN, state_dir: join(dir, 'state'), bundle_download_location: join(dir, 'b.raucb'), retry_wait: '1', log_level: 'info', ...client } }), { mode: 0o600 });
  const notify = await NotifySocket.start(dir);
  const child = spawn(process.execPath, [CLI, '-c', file, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DBUS_STARTER_BUS_TYPE: 'session', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', ...options.env, NOTIFY_SOCKET: notify.path, WATCHDOG_USEC },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.teardown(async () => {
    await terminate(child);
    await notify.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { child, notify, stderr: () => stderr, exit };
}

/** Waits the window out from `from`, then checks every second of it had a WATCHDOG=1 from the service. */
async function expectPingsEverySecond(t: ExecutionContext, service: Service, from: number): Promise<number[]> {
  const end = from + WINDOW_SECONDS * 1000;
  while (Date.now() < end + 200) await new Promise((resolve) => setTimeout(resolve, 100));
  const pings = service.notify.messages.filter((message) => message.state.WATCHDOG === '1');
  t.true(pings.every((message) => message.state.MAINPID === String(service.child.pid)), 'sent for the service process');
  const buckets = perSecond(pings.map((message) => message.at), from, WINDOW_SECONDS);
  t.true(buckets.every((count) => count >= 1), `pings per second: ${buckets.join(' ')}\n${service.stderr().slice(-2000)}`);
  return buckets;
}

test.serial('against a server answering 503: READY=1 and STATUS=, then WATCHDOG=1 every second, STOPPING=1 at SIGTERM', async (t) => {
  const server = createServer((_req, res) => res.writeHead(503).end('unavailable'));
  const port = await listen(server);
  t.teardown(() => server.close());
  const service = await startService(t, { hawkbit_server: `127.0.0.1:${port}` });
  const ready = await service.notify.waitFor('READY');
  t.is(ready.state.READY, '1');
  t.is(ready.state.STATUS, 'polling');
  const buckets = await expectPingsEverySecond(t, service, ready.at);
  t.regex(service.stderr(), /503/, 'the polls did fail during the window');
  t.log(`503: pings per second ${buckets.join(' ')}`);
  service.child.kill('SIGTERM');
  t.is(await service.exit, 0);
  t.truthy(service.notify.messages.find((message) => message.state.STOPPING === '1'));
});

test.serial('against a closed port: WATCHDOG=1 every second', async (t) => {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  const service = await startService(t, { hawkbit_server: `127.0.0.1:${port}` });
  const ready = await service.notify.waitFor('READY');
  const buckets = await expectPingsEverySecond(t, service, ready.at);
  t.regex(service.stderr(), /connection refused/);
  t.log(`closed port: pings per second ${buckets.join(' ')}`);
});

for (const mode of ['service', 'run once'] as const) {
  test.serial(`during a slow download (${mode}): WATCHDOG=1 every second`, async (t) => {
    const hb = await FakeHawkbit.start({ pollingSleep: '00:00:01' });
    t.teardown(() => hb.close());
    const bus = await startPrivateBus();
    t.teardown(() => bus.stop());
    const rauc = await FakeRaucService.start({ busAddress: bus.address, compatible: 'Test Device', bundle: { version: '2.0' } });
    t.teardown(() => rauc.stop());
    const target = hb.addTarget('wd-dev', { token: TOKEN });
    // 192 KiB at 16 KiB/s: about 12 s of download, longer than the window.
    const content = Buffer.alloc(192 * 1024, 7);
    const { actionId } = target.pushDeployment({ type: 'forced', chunks: [{ part: 'os', name: 'rootfs', version: '2.0', artifacts: [{ filename: 'slow.raucb', content }] }] });
    const service = await startService(
      t,
      { hawkbit_server: hb.hostPort, tenant_id: hb.tenant, target_name: 'wd-dev', download_speed_limit: '16384', active_poll_interval: '1' },
      { args: mode === 'run once' ? ['-r'] : [], env: bus.env },
    );
    const deadline = Date.now() + 30_000;
    while (!target.feedback.some((record) => record.actionId === actionId && (record.body as { status?: { execution?: string } }).status?.execution === 'download')) {
      if (Date.now() > deadline) throw new Error(`the download did not start:\n${service.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const buckets = await expectPingsEverySecond(t, service, Date.now());
    const executions = target.feedback.filter((record) => record.actionId === actionId).map((record) => (record.body as { status?: { execution?: string } }).status?.execution);
    t.false(executions.includes('downloaded'), `still downloading at the end of the window: ${executions.join(', ')}`);
    t.log(`slow download (${mode}): pings per second ${buckets.join(' ')}`);
  });
}
