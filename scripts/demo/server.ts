/**
 * The demo's hawkBit: the one `HAWKBIT_URL` names (user/password from HAWKBIT_USER/HAWKBIT_PASSWORD,
 * default admin/admin), or a local one built and started with scripts/hawkbit-server.sh.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../hawkbit-server.sh', import.meta.url));

export interface DemoServer {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** True when the demo started it (and stops it on exit). */
  readonly local: boolean;
  stop(): Promise<void>;
}

/**
 * Runs scripts/hawkbit-server.sh; its progress (stderr) goes to `progress`, stdout is returned.
 * `detached`: in a process group of its own, out of reach of a further Ctrl-C in the terminal.
 */
function runScript(args: readonly string[], progress: (line: string) => void, options: { detached?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached === true });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach(progress));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(stdout.trim()) : reject(new Error(`scripts/hawkbit-server.sh ${args.join(' ')} exited with ${code}`))));
  });
}

export async function demoServer(workDir: string, progress: (line: string) => void): Promise<DemoServer> {
  const user = process.env.HAWKBIT_USER ?? 'admin';
  const password = process.env.HAWKBIT_PASSWORD ?? 'admin';
  const given = process.env.HAWKBIT_URL;
  if (given) return { url: given.replace(/\/+$/, ''), user, password, local: false, stop: () => Promise.resolve() };
  const url = await runScript(['start', '--pid-file', pidFile(workDir)], progress);
  return { url, user, password, local: true, stop: () => stopLocalServer(workDir, progress) };
}

function pidFile(workDir: string): string {
  return join(workDir, 'server.pid');
}

/**
 * Stops the local server started for `workDir`, if any (also one still starting). Part of the clean-up
 * after Ctrl-C, so a second Ctrl-C does not interrupt it.
 */
export async function stopLocalServer(workDir: string, progress: (line: string) => void): Promise<void> {
  await runScript(['stop', '--pid-file', pidFile(workDir)], progress, { detached: true });
}
