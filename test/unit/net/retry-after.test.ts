import test from 'ava';
import { parseRetryAfter } from '../../../src/net/index.js';
import { readSources } from '../architecture/source-files.js';

test('one reading of Retry-After and one retry module: only src/net defines them; the DDI client, the downloader, the poll loop (and the fleet\'s 429 pause) use them', (t) => {
  const files = readSources();
  const where = (pattern: RegExp) => [...files].filter(([, text]) => pattern.test(text)).map(([file]) => file).sort();
  t.deepEqual(where(/function parseRetryAfter\b/), ['net/retry-after.ts']);
  t.deepEqual(where(/from 'p-retry'/), ['net/retry.ts']);
  t.deepEqual(where(/\bparseRetryAfter\(/), ['ddi/http-exchange.ts', 'download/attempt.ts', 'fleet/request-gate.ts', 'net/retry-after.ts']);
  // The three uses of the one policy module (RETRY_POLICIES): a DDI call, a download, the poll loop.
  const layers = new Set(where(/\b(withRetry|retryDelayMs)\(/).map((file) => file.split('/')[0]));
  t.deepEqual([...layers].sort(), ['agent', 'ddi', 'download', 'net']);
});

test('Retry-After: delta-seconds (spaces around allowed), an HTTP date, or nothing usable', (t) => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
  t.is(parseRetryAfter(' 120 ', now), 120_000);
  t.is(parseRetryAfter('120', now), 120_000);
  t.is(parseRetryAfter('0', now), 0);
  t.is(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30_000);
  t.is(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now), 0);
  t.is(parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', now), 0);
  t.is(parseRetryAfter(new Date(10_000 + 5000).toUTCString(), 10_000), 5000);
  t.is(parseRetryAfter(undefined, now), undefined);
  for (const unusable of ['', 'soon', '-5', '1.5', '2026-10-21']) t.is(parseRetryAfter(unusable, now), undefined, unusable);
});
