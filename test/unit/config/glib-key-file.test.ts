/**
 * The INI rules against GLib's GKeyFile (what rauc-hawkbit-updater reads with). Each expectation was
 * taken from GLib 2.74 (Debian 12) loading the same text with g_key_file_load_from_file and reading
 * it with g_key_file_get_string; where we differ on purpose (docs/migrating.md), the test says so.
 */
import test from 'ava';
import { isConfigError, parseConfig } from '../../../src/config/index.js';
import { configText } from '../../helpers/config-text.js';

const FILE = '/etc/hawkbit-rauc.conf';
const load = (text: string) => parseConfig(text, FILE);
const device = (lines: string) => load(configText({ device: null, extra: `[device]\n${lines}` })).config.device;

test('key[locale] is a localized variant that rauc-hawkbit-updater never reads: skipped, no warning', (t) => {
  const { config, warnings } = load(configText({ extra: '' }).replace('[device]', 'target_name[de] = anderes\n[device]'));
  t.is(config.targetName, 'device-1');
  t.deepEqual(warnings, []);
});

test('key[] is a key of its own, not a list of key (the ini package would make it one)', (t) => {
  const text = configText({ client: { auth_token: null } }).replace('[device]', 'auth_token[] = tok-1\nauth_token[] = tok-2\n[device]');
  const error = t.throws(() => load(text));
  t.true(isConfigError(error));
  t.regex(error!.message, /Neither token nor ssl authentication set/);
  const { warnings } = load(configText({}).replace('[device]', 'retry_wait[] = 5\n[device]'));
  t.deepEqual(warnings.map((w) => w.key), ['client.retry_wait[]']);
});

test('brackets anywhere else in a key name: an error naming the line (GLib: "Invalid key name")', (t) => {
  for (const line of ['k] = 1', 'k [de] = 1', 'a[b]c = 1']) {
    const error = t.throws(() => load(`[client]\n${line}\n`), undefined, line);
    t.regex(error!.message, /line 2: ".*" is not a valid key name/);
  }
});

test('escapes: \\s \\t \\n \\r \\\\ are decoded; a leading \\s keeps a space; = and quotes are literal', (t) => {
  t.deepEqual(device('a = \\s lead\nb = x\\ty\nc = l1\\nl2\\r\nd = back\\\\slash\ne = k=v\nf = "q"\ng =   spaced'), {
    a: '  lead', b: 'x\ty', c: 'l1\nl2\r', d: 'back\\slash', e: 'k=v', f: '"q"', g: 'spaced',
  });
});

test('an unknown escape or a lone backslash at the end: the key cannot be interpreted, an error naming it', (t) => {
  for (const value of ['a\\qb', 'a\\;b', 'a\\,b', 'ends\\']) {
    const error = t.throws(() => load(configText({ client: { target_name: value } })), undefined, value);
    t.regex(error!.message, /line \d+: the value of "target_name" ".*" cannot be interpreted: an unknown escape or a \\ at the end/);
    const inDevice = t.throws(() => device(`note = ${value}`));
    t.regex(inDevice!.message, /the value of "note"/);
  }
  const secret = t.throws(() => load(configText({ client: { auth_token: 'tok\\qen-secret' } })));
  t.false(secret!.message.includes('en-secret'), 'a token is never shown');
  // GLib fails a value only when it is read: an unknown key with one is ignored.
  t.is(load(configText({}).replace('[device]', 'not_ours = x\\q\n[device]')).config.targetName, 'device-1');
});

test('a repeated group is merged, the last of repeated keys wins', (t) => {
  const text = configText({}).replace('[device]', '[device]\nproduct = first') + '[client]\ntenant_id = second\n[device]\nproduct = last\n';
  const { config } = load(text);
  t.is(config.tenantId, 'second');
  t.is(config.device.product, 'last');
});

test('values are text: true, false and null stay strings', (t) => {
  t.deepEqual(device('a = true\nb = null\nc = 0'), { a: 'true', b: 'null', c: '0' });
});

test('on purpose: ; lines are comments, trailing whitespace is stripped, [ client ] is [client] (GLib refuses, keeps, and misses them)', (t) => {
  const text = `; a comment GLib refuses\n${configText({ client: { target_name: 'dev   ' } }).replace('[client]', '[ client ]')}`;
  t.is(load(text).config.targetName, 'dev');
});
