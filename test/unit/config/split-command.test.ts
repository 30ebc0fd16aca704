import test from 'ava';
import { parseConfig } from '../../../src/config/index.js';
import { splitCommand } from '../../../src/config/parse-value.js';
import { configText } from '../../helpers/config-text.js';

test('words, quotes and escapes, no expansion', (t) => {
  t.deepEqual(splitCommand('/usr/bin/gate --stage "download now" \'a b\' x\\ y $HOME'), ['/usr/bin/gate', '--stage', 'download now', 'a b', 'x y', '$HOME']);
  t.deepEqual(splitCommand(`a "b\\"c" 'd\\e' ""`), ['a', 'b"c', 'd\\e', '']);
});

test('unterminated quotes and empty commands are errors', (t) => {
  t.throws(() => splitCommand('a "b'), { message: /unterminated " quote/ });
  t.throws(() => splitCommand('   '), { message: /empty/ });
});

test('agent keys: defaults, gate and confirmation commands', (t) => {
  const { config } = parseConfig(configText({}), '/c');
  t.like(config, { activePollIntervalMs: 5000, verifyAfterReboot: false, updateGateCommand: undefined, confirmationPolicy: 'auto' });
  const custom = parseConfig(
    configText({ client: { update_gate_command: '/bin/gate "x y"', confirmation_policy: 'command', confirmation_command: '/bin/ok', active_poll_interval: '2' } }),
    '/c',
  ).config;
  t.deepEqual(custom.updateGateCommand, ['/bin/gate', 'x y']);
  t.deepEqual(custom.confirmationCommand, ['/bin/ok']);
  t.is(custom.activePollIntervalMs, 2000);
});

test('post_update_reboot implies verification after the reboot', (t) => {
  t.true(parseConfig(configText({ client: { post_update_reboot: 'true' } }), '/c').config.verifyAfterReboot);
});

test('confirmation_policy = command needs confirmation_command', (t) => {
  const error = t.throws(() => parseConfig(configText({ client: { confirmation_policy: 'command' } }), '/c'));
  t.regex(error!.message, /\[client\] confirmation_command: 'confirmation_command' is required/);
});
