import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { once } from 'node:events';

/** Resolves when `child` has exited (at once if it already has). */
export async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await once(child, 'exit');
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is reaped. */
export async function terminate(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited(child);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a command to completion; rejects with its stderr when it fails. */
export function run(file: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { env: options.env ?? process.env, cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

/** Keeps the last `max` characters a stream wrote, for error messages. */
export function tail(max = 4_000): { push(chunk: Buffer | string): void; readonly text: string } {
  let text = '';
  return {
    push(chunk) {
      text = (text + chunk.toString()).slice(-max);
    },
    get text() {
      return text;
    },
  };
}
