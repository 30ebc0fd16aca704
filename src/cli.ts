#!/usr/bin/env node
import { runCli } from './cli/run-cli.js';

const controller = new AbortController();
for (const name of ['SIGTERM', 'SIGINT'] as const) {
  process.on(name, () => controller.abort(new Error(`received ${name}`)));
}

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  });
} catch (error) {
  process.stderr.write(`hawkbit-rauc: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
