/**
 * `npm run demo` without a human: the demo script against the e2e server (HAWKBIT_URL), with
 * --exit-when-done, must show the update's phases and the server's history, succeed, and clean up.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { e2eServer } from './support.js';

const DEMO = fileURLToPath(new URL('../../scripts/demo/demo.ts', import.meta.url));

test('the demo runs one update with real RAUC, shows it step by step, exits 0 and removes its files', async (t) => {
  const server = e2eServer();
  const child = spawn(process.execPath, ['--import=tsx', DEMO, '--exit-when-done'], {
    env: { ...process.env, HAWKBIT_URL: server.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGTERM'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

  t.is(code, 0, output);
  t.regex(output, /real RAUC on a private D-Bus/);
  t.regex(output, /^phase: downloading$/m);
  t.regex(output, /^progress: \[#*\.*\]\s+\d+ % downloading rootfs-2\.0\.raucb$/m);
  t.regex(output, /^hawkBit: \S+ downloaded Downloaded and verified rootfs-2\.0\.raucb$/m);
  t.regex(output, /^hawkBit: \S+ finished\s+Installed \S+ 2\.0 to rootfs\.1$/m);
  t.regex(output, /The update succeeded\./);
  t.regex(output, /version=2\.0/, 'RAUC\'s slot status shows the new bundle');
  const logFile = /\(log: (\S+)\)/.exec(output)?.[1];
  t.truthy(logFile, output);
  t.false(existsSync(dirname(logFile!)), 'the demo removed its temp dir');
});
