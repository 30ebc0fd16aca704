import test from 'ava';
import { isConfigError, parseConfig } from '../../../src/config/index.js';
import { configText } from '../../helpers/config-text.js';

const FILE = '/etc/hawkbit-rauc.conf';
const BOOLEAN_KEYS = ['ssl', 'ssl_verify', 'resume_downloads', 'stream_bundle', 'post_update_reboot', 'send_download_authentication', 'allow_unverified_downloads'];
const FIELDS: Record<string, string> = {
  ssl: 'ssl',
  ssl_verify: 'sslVerify',
  resume_downloads: 'resumeDownloads',
  stream_bundle: 'streamBundle',
  post_update_reboot: 'postUpdateReboot',
  send_download_authentication: 'sendDownloadAuthentication',
  allow_unverified_downloads: 'allowUnverifiedDownloads',
};

const SPELLINGS: [string, boolean][] = [
  ['0', false], ['1', true], ['no', false], ['yes', true], ['false', false], ['true', true],
  ['NO', false], ['Yes', true], ['FALSE', false], ['True', true], ['tRuE', true], ['nO', false],
];

for (const key of BOOLEAN_KEYS) {
  test(`boolean ${key}: every spelling, any case`, (t) => {
    for (const [spelling, expected] of SPELLINGS) {
      const { config } = parseConfig(configText({ client: { [key]: spelling } }), FILE);
      t.is((config as unknown as Record<string, unknown>)[FIELDS[key]!], expected, `${key} = ${spelling}`);
    }
  });

  test(`boolean ${key}: anything else is an error naming the key`, (t) => {
    for (const bad of ['on', 'off', '2', 'y', 'truee', '']) {
      const error = t.throws(() => parseConfig(configText({ client: { [key]: bad } }), FILE));
      t.true(isConfigError(error));
      t.is((error as { key?: string }).key, `client.${key}`);
      t.true(error!.message.includes(`Value '${bad}' cannot be interpreted as a boolean.`), error!.message);
    }
  });
}

test('trailing (and leading) whitespace is stripped from values', (t) => {
  const text = '[client]\nhawkbit_server =   h:1 \t \ntarget_name=dev  \nauth_token = tok-en-123   \nbundle_download_location=/b \nssl = no  \n[device]\nproduct = Board X   \n';
  const { config } = parseConfig(text, FILE);
  t.is(config.hawkbitServer, 'h:1');
  t.is(config.targetName, 'dev');
  t.deepEqual(config.auth, { kind: 'target-token', token: 'tok-en-123' });
  t.false(config.ssl);
  t.deepEqual(config.device, { product: 'Board X' });
});

test('# and ; inside values are kept (only a leading # starts a comment), quotes are literal', (t) => {
  const text = configText({ client: { auth_token: 'ab#cd;ef' }, device: { product: '"Quoted" #1; x', 'hw.rev': 'true' } });
  const { config } = parseConfig(`# comment\n; another\n${text}`, FILE);
  t.deepEqual(config.auth, { kind: 'target-token', token: 'ab#cd;ef' });
  t.deepEqual(config.device, { product: '"Quoted" #1; x', 'hw.rev': 'true' });
});

test('GKeyFile escapes in values are decoded', (t) => {
  const { config } = parseConfig(configText({ device: { note: '\\sleading space\\tand tab\\\\' } }), FILE);
  t.is(config.device.note, ' leading space\tand tab\\');
});

test('a line that is not key = value is a syntax error naming the line', (t) => {
  const [head, ...tail] = configText().split('\n');
  const error = t.throws(() => parseConfig([head, 'hawkbit_server = h', 'this is garbage', ...tail].join('\n'), FILE));
  t.true(isConfigError(error));
  t.is((error as { code?: string }).code, 'CONFIG_SYNTAX');
  t.is(error!.message, `${FILE}: line 3: "this is garbage" is not a group, a key = value pair or a comment`);
});

test('a key before any group is a syntax error', (t) => {
  const error = t.throws(() => parseConfig('hawkbit_server = h\n[client]\n', FILE));
  t.regex(error!.message, /line 1: key "hawkbit_server" appears before the first \[group\]/);
});

test('unknown keys and groups warn (with a suggestion), they do not fail', (t) => {
  const { warnings } = parseConfig(configText({ client: { retry_wiat: '5', colour: 'blue' }, extra: '[extras]\na = 1' }), FILE);
  t.deepEqual(warnings, [
    { key: 'client.retry_wiat', message: "unknown key 'retry_wiat' ignored (did you mean 'retry_wait'?)" },
    { key: 'client.colour', message: "unknown key 'colour' ignored" },
    { key: 'extras', message: "unknown group '[extras]' ignored" },
  ]);
});

test('CRLF line endings and a BOM are accepted', (t) => {
  const text = `\uFEFF${configText({}).replaceAll('\n', '\r\n')}`;
  t.is(parseConfig(text, FILE).config.targetName, 'device-1');
});

test('the last of repeated keys wins (as with GKeyFile)', (t) => {
  const text = configText({}).replace('[device]', 'target_name = second\n[device]');
  t.is(parseConfig(text, FILE).config.targetName, 'second');
});
