import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { configText } from '../helpers/config-text.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hr-cli-'));
const TOKEN = 'cli-secret-token-77';
// Serial: each test starts the built CLI; thirteen Node processes started at once on a loaded 2-core
// machine took longer than runCli's 20 s each (seen in a full `npm test` at load average 30).

function writeConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const valid = writeConfig('valid.conf', configText({ client: { auth_token: TOKEN, state_dir: join(dir, 'state') } }));
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

test.serial('--version and -v print the version, exit 0', async (t) => {
  for (const flag of ['--version', '-v']) {
    const result = await runCli([flag]);
    t.is(result.code, 0);
    t.is(result.stdout, `Version ${version}\n`);
  }
});

test.serial('--help and -h print usage, exit 0', async (t) => {
  const result = await runCli(['-h']);
  t.is(result.code, 0);
  t.regex(result.stdout, /^Usage: hawkbit-rauc/);
  t.regex(result.stdout, /--check-config/);
});

test.serial('an unknown option exits 1', async (t) => {
  const result = await runCli(['--frobnicate']);
  t.is(result.code, 1);
  t.regex(result.stderr, /^option parsing failed: Unknown option '--frobnicate'/);
});

test.serial('an unexpected argument exits 1', async (t) => {
  const result = await runCli(['-c', valid, 'extra']);
  t.is(result.code, 1);
  t.regex(result.stderr, /unexpected argument 'extra'/);
});

test.serial('no config file given exits 2', async (t) => {
  const result = await runCli([]);
  t.is(result.code, 2);
  t.is(result.stderr, 'No configuration file given\n');
});

test.serial('a missing config file exits 3', async (t) => {
  const missing = join(dir, 'missing.conf');
  const result = await runCli(['-c', missing]);
  t.is(result.code, 3);
  t.is(result.stderr, `No such configuration file: ${missing}\n`);
});

test.serial('an invalid config exits 4 naming the file and key', async (t) => {
  const file = writeConfig('invalid.conf', configText({ client: { ssl: 'maybe' } }));
  const result = await runCli(['--config-file', file, '--check-config']);
  t.is(result.code, 4);
  t.is(result.stderr, `Loading config file failed: ${file}: [client] ssl: Value 'maybe' cannot be interpreted as a boolean.\n`);
});

test.serial('no credential exits 4 with rauc-hawkbit-updater\'s message', async (t) => {
  const file = writeConfig('noauth.conf', configText({ client: { auth_token: null } }));
  const result = await runCli(['-c', file]);
  t.is(result.code, 4);
  t.regex(result.stderr, /^Loading config file failed: .*\[client\] auth_token: Neither token nor ssl authentication set/);
});

test.serial('a syntax error exits 4 naming the line', async (t) => {
  const file = writeConfig('syntax.conf', '[client]\nnot a pair\n');
  const result = await runCli(['-c', file]);
  t.is(result.code, 4);
  t.regex(result.stderr, /line 2: "not a pair" is not a group/);
});

test.serial('--check-config prints the effective config without secrets, exit 0', async (t) => {
  const result = await runCli(['-c', valid, '--check-config']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /configuration is valid/);
  t.regex(result.stdout, /^auth_token = <redacted>$/m);
  t.regex(result.stdout, /^connect_timeout = 20$/m);
  t.false(result.stdout.includes(TOKEN));
  t.false(result.stderr.includes(TOKEN));
});

test.serial('--check-config reports unknown keys as warnings and still exits 0', async (t) => {
  const file = writeConfig('unknown.conf', configText({ client: { retry_wiat: '5' } }));
  const result = await runCli(['-c', file, '--check-config']);
  t.is(result.code, 0);
  t.regex(result.stderr, /warning .*unknown key 'retry_wiat' ignored \(did you mean 'retry_wait'\?\)/);
});

test.serial('-s logs in journal format with a priority prefix on stdout', async (t) => {
  const file = writeConfig('journal.conf', configText({ client: { retry_wiat: '5' } }));
  const result = await runCli(['-s', '-c', file, '--check-config']);
  t.is(result.code, 0);
  t.regex(result.stdout, /^<4>.*unknown key 'retry_wiat'/m);
});

test.serial('the shipped example config passes --check-config and prints no secret', async (t) => {
  const example = new URL('../../config/hawkbit-rauc.conf.example', import.meta.url).pathname;
  const token = /^auth_token\s*=\s*(\S+)/m.exec(readFileSync(example, 'utf8'))?.[1];
  t.truthy(token);
  const result = await runCli(['--check-config', '-c', example]);
  t.is(result.code, 0, result.stderr);
  t.false(result.stdout.includes(token!));
  t.false(result.stderr.includes(token!));
});
