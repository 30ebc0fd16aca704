import test from 'ava';
import fc from 'fast-check';
import { CLIENT_KEYS, isConfigError, parseConfig, type LoadedConfig } from '../../../src/config/index.js';
import { configText } from '../../helpers/config-text.js';
import { propertyParams } from '../../helpers/property.js';

const FILE = '/etc/hawkbit-rauc/fuzz.conf';

const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', ' ', '=', '[', ']', '#', ';', '"', '\\', '\\s', '\\n', '\\x', '\uFEFF', '\r', '__proto__', 'constructor', 'toString', 'true', 'null', '-1', '99999999999999999999', '1e3', 'http://u:p@proxy:3128', 'https://x', '/nonexistent/file'),
);
const keyName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...CLIENT_KEYS.map((k) => k.key)) }, nasty);
const valueText = fc.oneof(fc.constantFrom('0', '1', 'yes', 'false', '20', 'message', 'json', 'hawkbit:8080', 'device-1', '/tmp', 'tok'), nasty);
const line = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(keyName, fc.constantFrom(' = ', '=', ' =', '= '), valueText).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('client', 'device', 'Client', ''), nasty).map((group) => `[${group}]`) },
  { weight: 1, arbitrary: fc.oneof(nasty, fc.constantFrom('# comment', '; comment', '', '   ')) },
);
const randomIni = fc.tuple(fc.array(line, { maxLength: 25 }), fc.constantFrom('\n', '\r\n')).map(([lines, eol]) => lines.join(eol));

/** A valid config, then a few of its lines replaced or new lines added. */
const mutatedValid = fc.tuple(fc.array(fc.tuple(fc.nat(), line, fc.boolean()), { maxLength: 3 }), fc.boolean()).map(([edits, bom]) => {
  const lines = configText({ client: { state_dir: '/tmp/fuzz-state' } }).split('\n');
  for (const [at, text, replace] of edits) lines.splice(at % (lines.length + 1), replace ? 1 : 0, text);
  return `${bom ? '\uFEFF' : ''}${lines.join('\n')}`;
});

/** parseConfig's outcome: a frozen config, or a ConfigError. Anything else fails the property. */
function outcome(text: string): 'valid' | 'error' {
  let loaded: LoadedConfig;
  try {
    loaded = parseConfig(text, FILE);
  } catch (error) {
    if (isConfigError(error) && error.message.startsWith(`${FILE}: `)) return 'error';
    throw error;
  }
  const { config, warnings } = loaded;
  if (!Object.isFrozen(config) || !Object.isFrozen(config.device) || !Object.isFrozen(warnings) || config.hawkbitServer === '') {
    throw new Error(`a loaded config that is not frozen or has no server: ${JSON.stringify(config)}`);
  }
  return 'valid';
}

test('property: random INI text never crashes the config loader (ConfigError or a valid config)', (t) => {
  fc.assert(fc.property(randomIni, (text) => outcome(text) !== undefined), propertyParams(500));
  t.pass();
});

test('property: a valid config with lines replaced or added loads or fails with a ConfigError, and some still load', (t) => {
  const seen = { valid: 0, error: 0 };
  fc.assert(
    fc.property(mutatedValid, (text) => {
      seen[outcome(text)] += 1;
      return true;
    }),
    propertyParams(400),
  );
  // Both outcomes are reached, so the property exercised the validation and not only the syntax check.
  t.true(seen.valid > 0 && seen.error > 0, JSON.stringify(seen));
});
