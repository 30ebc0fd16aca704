import test from 'ava';
import { createLogger } from '../../../src/log/index.js';
import { Capture } from '../../helpers/capture.js';

function logTo(format: 'text' | 'json' | 'journal', level: 'error' | 'message' | 'debug' = 'debug', secrets: string[] = []) {
  const stream = new Capture();
  return { log: createLogger({ level, format, secrets, stream }), stream };
}

test('levels: log_level filters the less severe ones', (t) => {
  const { log, stream } = logTo('json', 'message');
  log.error('e');
  log.critical('c');
  log.warning('w');
  log.message('m');
  log.info('i');
  log.debug('d');
  t.deepEqual(stream.lines.map((line) => (JSON.parse(line) as { level: string }).level), ['error', 'critical', 'warning', 'message']);
});

test('a filtered level costs nothing: its entry is neither redacted nor rendered (also through a child)', (t) => {
  const { log, stream } = logTo('json', 'message');
  let reads = 0;
  const meta = {
    get probe() {
      reads += 1;
      return 'value';
    },
  };
  log.debug('d', meta);
  log.info('i', meta);
  log.child({ component: 'ddi' }).debug('d', meta);
  t.is(reads, 0, 'the dropped entries were never looked at');
  t.is(stream.lines.length, 0);
  log.child({ component: 'ddi' }).message('m', meta);
  t.true(reads > 0, 'a kept entry is rendered');
  t.like(JSON.parse(stream.lines[0] ?? '{}'), { level: 'message', component: 'ddi', probe: 'value' });
});

test('level error shows only errors', (t) => {
  const { log, stream } = logTo('json', 'error');
  log.critical('c');
  log.error('e');
  t.is(stream.lines.length, 1);
});

test('journal format: syslog priority prefix per level, one line per entry', (t) => {
  const { log, stream } = logTo('journal');
  log.error('e');
  log.critical('c');
  log.warning('w');
  log.message('m');
  log.info('i');
  log.debug('two\nlines');
  t.deepEqual(stream.lines, ['<3>e', '<2>c', '<4>w', '<5>m', '<6>i', '<7>two ⏎ lines']);
});

test('text format: timestamp, level, component and fields', (t) => {
  const { log, stream } = logTo('text');
  log.child({ component: 'ddi' }).info('polled', { sleepMs: 30000, url: 'http://h/x' });
  t.regex(stream.text, /^\d{4}-\d\d-\d\dT[\d:.]+Z info {5}\[ddi\] polled sleepMs=30000 url=http:\/\/h\/x\n$/);
});

test('json format: one object per line with meta and bigint values', (t) => {
  const { log, stream } = logTo('json');
  log.message('slot', { size: 12n, nested: { a: [1, 2] } });
  const entry = JSON.parse(stream.lines[0]!) as Record<string, unknown>;
  t.like(entry, { level: 'message', message: 'slot', size: '12', nested: { a: [1, 2] } });
  t.regex(String(entry.time), /^\d{4}-/);
});
