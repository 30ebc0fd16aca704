import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { configText } from '../../helpers/config-text.js';
import { runCli } from '../../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hr-ssl-verify-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const WARNING = /warning .*TLS certificate verification is OFF \(ssl_verify = false\): the server is not authenticated/;

function config(name: string, client: Record<string, string>): string {
  const file = join(dir, name);
  writeFileSync(file, configText({ client: { state_dir: join(dir, 'state'), ...client } }), { mode: 0o600 });
  return file;
}

test('ssl_verify = false: the built CLI warns loudly at start (--check-config), and still accepts the config', async (t) => {
  const result = await runCli(['-c', config('off.conf', { ssl_verify: 'false' }), '--check-config']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, WARNING);
  t.regex(result.stdout, /^ssl_verify = false$/m);
});

test('no such warning when verification is on, or when ssl is off altogether', async (t) => {
  for (const [name, client] of [['on.conf', { ssl_verify: 'true' }], ['http.conf', { ssl: 'false', ssl_verify: 'false' }]] as const) {
    const result = await runCli(['-c', config(name, client), '--check-config']);
    t.is(result.code, 0, result.stderr);
    t.notRegex(result.stderr, /verification is OFF/, name);
  }
});
