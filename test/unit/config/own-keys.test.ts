import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { describeConfig, isConfigError, loadConfig, parseConfig } from '../../../src/config/index.js';
import { configText } from '../../helpers/config-text.js';

const FILE = '/etc/hawkbit-rauc.conf';
const dir = mkdtempSync(join(tmpdir(), 'hr-config-'));
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\n');

function keyOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isConfigError(error)) return error.key;
    throw error;
  }
  return undefined;
}

test('ca_file must be readable', (t) => {
  t.is(parseConfig(configText({ client: { ca_file: caFile } }), FILE).config.caFile, caFile);
  const error = t.throws(() => parseConfig(configText({ client: { ca_file: join(dir, 'missing.pem') } }), FILE));
  t.regex(error!.message, /\[client\] ca_file: cannot read '.*missing\.pem' \(ENOENT\)/);
});

test('client certificate files must be readable unless an engine holds the key', (t) => {
  const base = { auth_token: null, ssl_cert: caFile };
  t.is(keyOf(() => parseConfig(configText({ client: { ...base, ssl_key: join(dir, 'nokey') } }), FILE)), 'client.ssl_key');
  const withEngine = parseConfig(configText({ client: { ...base, ssl_key: 'pkcs11:object=device', ssl_engine: 'pkcs11' } }), FILE);
  t.deepEqual(withEngine.config.auth, { kind: 'client-certificate' });
  t.is(withEngine.config.sslEngine, 'pkcs11');
});

test('proxy must be an http(s) URL; its password is redacted in the description', (t) => {
  const { config } = parseConfig(configText({ client: { proxy: 'http://user:pa55word@proxy:3128' } }), FILE);
  t.is(config.proxy, 'http://user:pa55word@proxy:3128');
  const description = describeConfig(config);
  t.true(description.includes('proxy = http://user:<redacted>@proxy:3128'));
  t.false(description.includes('pa55word'));
  t.is(keyOf(() => parseConfig(configText({ client: { proxy: 'socks5://proxy:1080' } }), FILE)), 'client.proxy');
  t.is(keyOf(() => parseConfig(configText({ client: { proxy: 'not a url' } }), FILE)), 'client.proxy');
});

test('state_dir, log_format, download_retries, allow_unverified_downloads', (t) => {
  const { config } = parseConfig(
    configText({ client: { state_dir: '/data/hr', log_format: 'json', download_retries: '0', allow_unverified_downloads: 'yes' } }),
    FILE,
  );
  t.like(config, { stateDir: '/data/hr', logFormat: 'json', downloadRetries: 0, allowUnverifiedDownloads: true });
  const error = t.throws(() => parseConfig(configText({ client: { log_format: 'xml' } }), FILE));
  t.regex(error!.message, /\[client\] log_format: Value 'xml' is not one of 'text', 'json', 'journal'\./);
});

test('describeConfig prints every effective key and never a token', (t) => {
  const { config } = parseConfig(configText({ client: { auth_token: 'very-secret-token' } }), FILE);
  const description = describeConfig(config);
  t.false(description.includes('very-secret-token'));
  t.true(description.includes('auth_token = <redacted>'));
  t.true(description.includes('retry_wait = 300'));
  t.true(description.includes('[device]\nproduct = Test'));
});

test('loadConfig: missing file, unreadable path, relative path resolved', (t) => {
  const missing = t.throws(() => loadConfig(join(dir, 'nope.conf')));
  t.is((missing as { code?: string }).code, 'CONFIG_NOT_FOUND');
  const directory = t.throws(() => loadConfig(dir));
  t.is((directory as { code?: string }).code, 'CONFIG_UNREADABLE');
  const file = join(dir, 'ok.conf');
  writeFileSync(file, configText({}));
  t.is(loadConfig(file).config.file, file);
});
