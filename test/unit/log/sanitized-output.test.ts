import test from 'ava';
import { createLogger } from '../../../src/log/index.js';
import { Capture } from '../../helpers/capture.js';

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

for (const format of ['text', 'json', 'journal'] as const) {
  test(`${format} format: escape sequences and control characters from server strings never reach the output`, (t) => {
    const stream = new Capture();
    const log = createLogger({ level: 'debug', format, stream });
    log.message('downloading \x1b[2J\x1b[Hupdate.raucb\r\x1b[32mOK', { filename: 'a\x1b]0;owned\x07b\u202e', version: '1.0\u009b31m' });
    t.is(stream.lines.length, 1);
    const [line] = stream.lines;
    t.false(UNSAFE.test(line!), JSON.stringify(line));
    t.regex(line!, /downloading update\.raucbOK/);
    t.regex(line!, /ab/);
  });
}

test('text format keeps a multi-line message readable (\\n stays)', (t) => {
  const stream = new Capture();
  createLogger({ level: 'debug', format: 'text', stream }).error('first\nsecond');
  t.regex(stream.text, /first\nsecond/);
});
