import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { EXAMPLE_AUTH_TOKEN } from '../../src/config/permissions.js';
import { configText } from '../helpers/config-text.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hr-cli-msg-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
// Serial: each test starts the CLI (one or two Node processes); a burst of them on a loaded 2-core
// machine slows every other CLI test in the run.
const EXAMPLE = new URL('../../config/hawkbit-rauc.conf.example', import.meta.url).pathname;

function writeConfig(name: string, text: string, mode = 0o600): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

test.serial('every config error is reported in one run, in line order, exit 4', async (t) => {
  const lines = [
    '[client]',
    'hawkbit_server = hawkbit.example.com',
    'target_nmae = device-1',
    'auth_token = cli-token-8812',
    'timeout = soon',
    'bundle_download_location = /tmp/bundle.raucb',
    'this line is broken',
    'ssl = maybe',
    '[device]',
    'product = Board',
  ];
  const file = writeConfig('three.conf', `${lines.join('\n')}\n`);
  const result = await runCli(['-c', file, '--check-config']);
  t.is(result.code, 4);
  t.is(
    result.stderr,
    [
      `Loading config file failed: ${file}: 4 problems:`,
      "  line 3: [client] target_name: required key 'target_name' is missing (found 'target_nmae': did you mean 'target_name'?)",
      "  line 5: [client] timeout: Value 'soon' cannot be interpreted as a number.",
      '  line 7: "this line is broken" is not a group, a key = value pair or a comment',
      "  line 8: [client] ssl: Value 'maybe' cannot be interpreted as a boolean.",
      '',
    ].join('\n'),
  );
  t.is(result.stdout, '');
});

test.serial('a misspelled required key is named in the error (did you mean), service and --check-config alike', async (t) => {
  const file = writeConfig('nmae.conf', configText({ client: { target_name: null, target_nmae: 'device-1', state_dir: join(dir, 'state') } }));
  for (const args of [['--check-config'], ['-r']]) {
    const result = await runCli(['-c', file, ...args]);
    t.is(result.code, 4, args.join(' '));
    t.is(result.stderr, `Loading config file failed: ${file}: [client] target_name: required key 'target_name' is missing (found 'target_nmae': did you mean 'target_name'?)\n`);
  }
});

test.serial('a misspelled auth_token is named instead of "Neither token nor ssl authentication set" alone', async (t) => {
  const file = writeConfig('authtokn.conf', configText({ client: { auth_token: null, auth_tokn: 'secret-tok-71' } }));
  const result = await runCli(['-c', file, '--check-config']);
  t.is(result.code, 4);
  t.regex(result.stderr, /\[client\] auth_token: Neither token nor ssl authentication set .*\(found 'auth_tokn': did you mean 'auth_token'\?\)\n$/);
  t.false(result.stderr.includes('secret-tok-71'));
});

for (const [name, client, key] of [
  ['a socks proxy', { proxy: 'socks5://proxy.example.com:1080' }, 'proxy'],
  ['an engine key the engine cannot load', { auth_token: null, ssl_key: 'pkcs11:object=device', ssl_cert: EXAMPLE, ssl_engine: 'pkcs11' }, 'ssl_key'],
] as const) {
  test.serial(`--check-config refuses ${name} exactly as the service does (exit 4, same key and message)`, async (t) => {
    const file = writeConfig(`${key}.conf`, configText({ client: { ...client, state_dir: join(dir, `state-${key}`), retry_wait: '1' } }));
    const check = await runCli(['-c', file, '--check-config']);
    const service = await runCli(['-c', file, '-r']);
    t.is(check.code, 4);
    t.is(service.code, 4);
    t.regex(check.stderr, new RegExp(`^Loading config file failed: ${file}: \\[client\\] ${key}: `, 'm'));
    t.is(check.stderr, service.stderr);
    t.is(check.stdout, '', 'nothing printed as valid');
  });
}

test.serial('a socks proxy from HTTPS_PROXY is refused by --check-config as by the service, naming the variable', async (t) => {
  const file = writeConfig('env-proxy.conf', configText({ client: { state_dir: join(dir, 'state-env') } }));
  const env = { HTTPS_PROXY: 'socks5://proxy.example.com:1080', https_proxy: '' };
  const check = await runCli(['-c', file, '--check-config'], { env });
  const service = await runCli(['-c', file, '-r'], { env });
  t.is(check.code, 4);
  t.is(service.code, 4);
  t.regex(check.stderr, /: environment variable HTTPS_PROXY: 'HTTPS_PROXY' uses socks5:\/\/: only http:\/\/ and https:\/\/ proxies are supported/);
  t.is(check.stderr, service.stderr);
});

test.serial('the permission warning names the file once; a copy of the example with its placeholder token gets none', async (t) => {
  const real = writeConfig('readable.conf', configText({ client: { auth_token: 'real-token-4411' } }), 0o644);
  const warned = await runCli(['-c', real, '--check-config']);
  t.is(warned.code, 0, warned.stderr);
  const line = warned.stderr.split('\n').find((text) => text.includes('every user can read'));
  t.truthy(line, warned.stderr);
  t.is(line!.split(real).length - 1, 1, line);
  t.regex(line!, /every user can read this file \(mode 0644\) and it holds auth_token: chmod o-rwx it/);

  t.true(readFileSync(EXAMPLE, 'utf8').includes(`auth_token                = ${EXAMPLE_AUTH_TOKEN}`), 'the example holds the placeholder');
  const copy = writeConfig('example-copy.conf', readFileSync(EXAMPLE, 'utf8'), 0o644);
  for (const file of [EXAMPLE, copy]) {
    const result = await runCli(['-c', file, '--check-config']);
    t.is(result.code, 0, result.stderr);
    t.false(result.stderr.includes('every user can read'), result.stderr);
  }
});

test.serial('an unknown option is named with balanced quotes, and the closest option suggested', async (t) => {
  const bogus = await runCli(['--bogus']);
  t.is(bogus.code, 1);
  t.is(bogus.stderr, "option parsing failed: Unknown option '--bogus'\nTry 'hawkbit-rauc --help'.\n");
  const typo = await runCli(['--check-confg', '-c', EXAMPLE]);
  t.is(typo.code, 1);
  t.is(typo.stderr, "option parsing failed: Unknown option '--check-confg' (did you mean '--check-config'?)\nTry 'hawkbit-rauc --help'.\n");
});
