#!/usr/bin/env node
import { runCli } from './cli/run-cli.js';

const controller = new AbortController();
for (const name of ['SIGTERM', 'SIGINT'] as const) {
  process.on(name, () => controller.abort(new Error(`received ${name}`)));
}

// No top-level await: the device build bundles this entry as a CommonJS script (scripts/device-bundle.ts).
runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hawkbit-rauc: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
