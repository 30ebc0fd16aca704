import test from 'ava';
import { parseRetryAfter as ddiParseRetryAfter } from '../../../src/ddi/index.js';
import { parseRetryAfter as downloadParseRetryAfter } from '../../../src/download/retry-policy.js';
import { parseRetryAfter } from '../../../src/net/index.js';

test('the DDI client and the downloader read Retry-After with the same function', (t) => {
  t.is(ddiParseRetryAfter, parseRetryAfter);
  t.is(downloadParseRetryAfter, parseRetryAfter);
});

test('Retry-After: delta-seconds (spaces around allowed), an HTTP date, or nothing usable', (t) => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
  t.is(parseRetryAfter(' 120 ', now), 120_000);
  t.is(parseRetryAfter('0', now), 0);
  t.is(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30_000);
  t.is(parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', now), 0);
  for (const unusable of ['', 'soon', '-5', '1.5', '2026-10-21']) t.is(parseRetryAfter(unusable, now), undefined, unusable);
});
