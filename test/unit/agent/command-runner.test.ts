import test from 'ava';
import { runCommand } from '../../../src/agent/command-runner.js';

test('exit 0 with output and the action environment', async (t) => {
  const result = await runCommand(['sh', '-c', 'echo "go $HAWKBIT_ACTION_ID"'], { env: { HAWKBIT_ACTION_ID: '12' } });
  t.deepEqual(result, { exitCode: 0, output: 'go 12', error: undefined });
});

test('a non-zero exit is reported with its code', async (t) => {
  const result = await runCommand(['sh', '-c', 'echo busy >&2; exit 3']);
  t.is(result.exitCode, 3);
  t.is(result.output, 'busy');
});

test('arguments are passed without a shell: metacharacters stay literal', async (t) => {
  const result = await runCommand(['echo', '$(id)', '; rm -rf /', '`x`']);
  t.is(result.output, '$(id) ; rm -rf / `x`');
});

test('a missing command and a timeout are errors, not exit codes', async (t) => {
  const missing = await runCommand(['/nonexistent/gate']);
  t.is(missing.exitCode, undefined);
  t.regex(missing.error ?? '', /ENOENT/);
  const slow = await runCommand(['sleep', '10'], { timeoutMs: 200 });
  t.is(slow.exitCode, undefined);
  t.regex(slow.error ?? '', /timed out or killed/);
});
