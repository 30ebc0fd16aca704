import { resolve } from 'node:path';
import test from 'ava';
import { firstDirectory } from '../../../src/lib/systemd-directory.js';

test('the first of systemd\'s colon-separated directories, made absolute; nothing when unset or empty', (t) => {
  t.is(firstDirectory('/run/hawkbit-rauc:/run/other'), '/run/hawkbit-rauc');
  t.is(firstDirectory('/var/cache/hawkbit-rauc'), '/var/cache/hawkbit-rauc');
  t.is(firstDirectory('relative/dir'), resolve('relative/dir'));
  t.is(firstDirectory(''), undefined);
  t.is(firstDirectory(':/run/second'), undefined);
  t.is(firstDirectory(undefined), undefined);
});
