import { execFile } from 'node:child_process';

export interface CommandResult {
  /** Exit status; undefined when the command could not run or was killed. */
  readonly exitCode: number | undefined;
  readonly output: string;
  /** Why it did not run to an exit status (not found, timed out, killed). */
  readonly error: string | undefined;
}

/**
 * Runs a local decision command (update gate, confirmation) from its argument vector, never through a
 * shell, with a timeout, extra environment variables describing the action, and bounded output.
 */
export function runCommand(
  argv: readonly string[],
  options: { env?: Readonly<Record<string, string>>; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<CommandResult> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    execFile(
      file!,
      args,
      {
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024,
        signal: options.signal,
        shell: false,
      },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim().slice(-1000);
        if (!error) return resolve({ exitCode: 0, output, error: undefined });
        const failure = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean; signal?: string };
        if (typeof failure.code === 'number') return resolve({ exitCode: failure.code, output, error: undefined });
        const reason = failure.killed ? `timed out or killed (${failure.signal ?? 'signal'})` : failure.message;
        resolve({ exitCode: undefined, output, error: reason });
      },
    );
  });
}
