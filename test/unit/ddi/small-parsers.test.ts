import test from 'ava';
import { isDdiProtocolError, MAX_ATTRIBUTES, parsePollingSleep, STATUS_CODES, validateAttributes } from '../../../src/ddi/index.js';

test('polling sleep HH:MM:SS', (t) => {
  t.is(parsePollingSleep('00:05:00'), 300_000);
  t.is(parsePollingSleep('12:00:00'), 43_200_000);
  t.is(parsePollingSleep('00:00:01'), 1_000);
  t.is(parsePollingSleep('48:30:15'), (48 * 3600 + 30 * 60 + 15) * 1000);
  t.is(parsePollingSleep(' 00:00:30 '), 30_000);
});

for (const bad of ['', '5', '00:60:00', '00:00:60', '1:2:3', 'aa:bb:cc', '00:05', '-1:00:00', '00:05:00.5']) {
  test(`polling sleep ${JSON.stringify(bad)} is a DdiProtocolError naming config.polling.sleep`, (t) => {
    const error = t.throws(() => parsePollingSleep(bad));
    t.true(isDdiProtocolError(error) && error.field === 'config.polling.sleep');
    t.true(error!.message.includes(JSON.stringify(bad)));
  });
}

test('attributes within the limits pass', (t) => {
  const hundred = Object.fromEntries(Array.from({ length: MAX_ATTRIBUTES }, (_, i) => [`k${i}`, 'v'.repeat(128)]));
  t.notThrows(() => validateAttributes(hundred));
  t.notThrows(() => validateAttributes({ ['k'.repeat(128)]: '' }));
});

test('attribute limits: count, key length, value length, empty', (t) => {
  const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v']));
  t.regex(t.throws(() => validateAttributes(many))!.message, /101 attributes.*at most 100/);
  t.regex(t.throws(() => validateAttributes({ ['k'.repeat(129)]: 'v' }))!.message, /attribute name is 129 characters/);
  const value = t.throws(() => validateAttributes({ good: 'v', serial_number: 'x'.repeat(200) }));
  t.true(isDdiProtocolError(value));
  t.regex(value!.message, /"serial_number".*200 characters/);
  t.regex(t.throws(() => validateAttributes({}))!.message, /at least one attribute/);
  t.regex(t.throws(() => validateAttributes({ '': 'v' }))!.message, /must not be empty/);
});

test('status codes are frozen, unique and stable', (t) => {
  t.true(Object.isFrozen(STATUS_CODES));
  const values = Object.values(STATUS_CODES);
  t.is(new Set(values).size, values.length);
  t.is(STATUS_CODES.CHECKSUM_MISMATCH, 1002);
  t.is(STATUS_CODES.INSTALL_FAILED, 2001);
});
