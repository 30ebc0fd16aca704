import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, tail, terminate } from './process.js';

export interface PrivateBus {
  /** The address dbus-daemon printed (`unix:path=<dir>/bus,guid=…`). */
  readonly address: string;
  /** Environment for clients: DBUS_SESSION_BUS_ADDRESS + DBUS_STARTER_BUS_TYPE=session. */
  readonly env: Readonly<Record<string, string>>;
  readonly pid: number;
  /** Stops the daemon (and removes its directory if this call created it). */
  stop(): Promise<void>;
}

/**
 * Starts a private `dbus-daemon` (session type, own config file, socket at `<dir>/bus`) as a child of
 * this process. A socket *path*: abstract sockets do not work with dbus-next on Node 20. The config has
 * no service directories, so nothing is ever auto-started on this bus.
 */
export async function startPrivateBus(dir?: string): Promise<PrivateBus> {
  const ownDir = dir === undefined;
  const base = dir ?? (await mkdtemp(join(tmpdir(), 'hr-bus-')));
  const socket = join(base, 'bus');
  const config = join(base, 'bus.conf');
  await writeFile(config, busConfig(socket));
  // setpriv --pdeathsig: the daemon ends with the test process, even when that one is killed.
  const child = spawn('setpriv', ['--pdeathsig', 'TERM', 'dbus-daemon', `--config-file=${config}`, '--nofork', '--print-address', `--address=unix:path=${socket}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = tail();
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const cleanup = async (): Promise<void> => {
    await terminate(child);
    if (ownDir) await rm(base, { recursive: true, force: true });
  };
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`dbus-daemon printed no address within 10 s: ${stderr.text}`)), 10_000);
      child.once('error', (error) => reject(new Error(`cannot run setpriv dbus-daemon (are the "util-linux" and "dbus" packages installed?): ${error.message}`)));
      child.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code} before it was ready: ${stderr.text}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) {
          clearTimeout(timer);
          resolve(line.trim());
        }
      });
    });
    child.removeAllListeners('exit');
    let stopping: Promise<void> | undefined;
    return {
      address,
      env: { DBUS_SESSION_BUS_ADDRESS: address, DBUS_STARTER_BUS_TYPE: 'session' },
      pid: child.pid ?? 0,
      stop: () => (stopping ??= cleanup()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Resolves when the daemon exits on its own (for tests that kill it on purpose). */
export { exited };

function busConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}
