/**
 * `npm run demo` without a human: the demo script against the e2e server (HAWKBIT_URL), with
 * --exit-when-done, must show the update's phases and the server's history, succeed, and clean up —
 * with real RAUC, and with the RAUC test service it falls back to where real RAUC cannot run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { e2eServer } from './support.js';

const DEMO = fileURLToPath(new URL('../../scripts/demo/demo.ts', import.meta.url));

/** Runs the demo to its end; resolves with its exit code and everything it printed. */
async function runDemo(t: ExecutionContext, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import=tsx', DEMO, '--exit-when-done'], {
    env: { ...process.env, HAWKBIT_URL: e2eServer().url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGTERM'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

/** What every successful demo prints, and that it removed its temp dir. */
function assertUpdateShown(t: ExecutionContext, output: string): void {
  t.regex(output, /^phase: downloading$/m);
  t.regex(output, /^progress: \[#*\.*\]\s+\d+ % downloading rootfs-2\.0\.raucb$/m);
  t.regex(output, /^hawkBit: \S+ downloaded Downloaded and verified rootfs-2\.0\.raucb$/m);
  t.regex(output, /^hawkBit: \S+ finished\s+Installed \S+ 2\.0 to rootfs\.1$/m);
  t.regex(output, /The update succeeded\./);
  const logFile = /\(log: (\S+)\)/.exec(output)?.[1];
  t.truthy(logFile, output);
  t.false(existsSync(dirname(logFile!)), 'the demo removed its temp dir');
}

test('the demo runs one update with real RAUC, shows it step by step, exits 0 and removes its files', async (t) => {
  const { code, output } = await runDemo(t);
  t.is(code, 0, output);
  t.regex(output, /real RAUC on a private D-Bus/);
  assertUpdateShown(t, output);
  t.regex(output, /version=2\.0/, 'RAUC\'s slot status shows the new bundle');
});

test('with the RAUC test service the demo says so plainly and still shows the whole update', async (t) => {
  const { code, output } = await runDemo(t, { HAWKBIT_RAUC_DEMO_RAUC: 'test-service' });
  t.is(code, 0, output);
  t.regex(output, /NOTE: real RAUC cannot run here .*using the RAUC TEST SERVICE instead — it accepts the install but writes nothing/);
  t.notRegex(output, /real RAUC on a private D-Bus/);
  assertUpdateShown(t, output);
});
