import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadConfig } from '../../../src/config/index.js';
import { configText } from '../../helpers/config-text.js';

const dir = mkdtempSync(join(tmpdir(), 'hr-perms-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'perm-secret-token-31';
let files = 0;

function write(text: string, mode: number): string {
  const file = join(dir, `f${++files}`);
  writeFileSync(file, text);
  chmodSync(file, mode); // explicit: the umask must not decide
  return file;
}

const tokenConfig = (mode: number, client: Record<string, string | null> = {}) =>
  write(configText({ client: { auth_token: TOKEN, state_dir: dir, ...client } }), mode);

function certConfig(configMode: number, keyMode: number, client: Record<string, string | null> = {}) {
  const key = write('-----BEGIN PRIVATE KEY-----\n', keyMode);
  const cert = write('-----BEGIN CERTIFICATE-----\n', 0o644);
  return { key, file: write(configText({ client: { auth_token: null, ssl_key: key, ssl_cert: cert, state_dir: dir, ...client } }), configMode) };
}

const permissionWarnings = (file: string) => loadConfig(file).warnings.filter((w) => /chmod o-rwx/.test(w.message));

for (const mode of [0o644, 0o604, 0o664]) {
  test(`a config holding auth_token with mode 0${mode.toString(8)} warns with the mode and the chmod (the caller adds the path, once)`, (t) => {
    const file = tokenConfig(mode);
    const [warning, ...more] = permissionWarnings(file);
    t.is(more.length, 0);
    t.is(warning?.key, 'client.auth_token');
    t.is(warning?.message, `every user can read this file (mode 0${mode.toString(8)}) and it holds auth_token: chmod o-rwx it (0640 root:hawkbit-rauc, or 0600)`);
    t.false(warning!.message.includes(TOKEN));
  });
}

test('a config holding a token with mode 0640 (root:hawkbit-rauc, as documented), 0600 or 0400 gives no warning', (t) => {
  t.deepEqual(permissionWarnings(tokenConfig(0o640)), []);
  t.deepEqual(permissionWarnings(tokenConfig(0o600)), []);
  t.deepEqual(permissionWarnings(tokenConfig(0o400)), []);
});

test('gateway_token is named as what the file holds', (t) => {
  const file = tokenConfig(0o644, { auth_token: null, gateway_token: TOKEN });
  t.is(permissionWarnings(file)[0]?.key, 'client.gateway_token');
});

test('a config without secrets may be world-readable; a world-readable ssl_key warns with its path', (t) => {
  const { key, file } = certConfig(0o644, 0o644);
  const warnings = permissionWarnings(file);
  t.is(warnings.length, 1);
  t.is(warnings[0]?.key, 'client.ssl_key');
  t.is(warnings[0]!.message, `the client key ${key} (ssl_key) is readable by every user (mode 0644): chmod o-rwx it (0640 root:hawkbit-rauc, or 0600)`);
});

test('an ssl_key readable by its group only (root:hawkbit-rauc 0640, as documented) gives no warning', (t) => {
  t.deepEqual(permissionWarnings(certConfig(0o644, 0o640).file), []);
});

test('a proxy password counts as a secret in the config file', (t) => {
  const { file } = certConfig(0o644, 0o600, { proxy: 'http://user:pw-9911@proxy:3128' });
  const [warning] = permissionWarnings(file);
  t.is(warning?.key, 'client.proxy');
  t.regex(warning!.message, /holds a proxy password/);
  t.false(warning!.message.includes('pw-9911'));
});
