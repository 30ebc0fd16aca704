import test from 'ava';
import {
  buildConfirmation, buildFeedback, confirmationBody, EXECUTIONS, feedbackBody, FINISHED, isInvalidFeedbackError, limitDetails, redactDetails,
} from '../../../src/ddi/index.js';

for (const execution of EXECUTIONS) {
  for (const finished of FINISHED) {
    test(`feedback ${execution}/${finished}: exact JSON, frozen`, (t) => {
      const feedback = buildFeedback(execution, finished, { details: ['one'] });
      t.true(Object.isFrozen(feedback));
      t.true(Object.isFrozen(feedback.details));
      t.is(JSON.stringify(feedbackBody(feedback)), JSON.stringify({ status: { execution, result: { finished }, details: ['one'] } }));
    });
  }
}

test('progress, code and timestamp go where hawkBit reads them', (t) => {
  const feedback = buildFeedback('proceeding', 'none', { progress: { cnt: 3, of: 7 }, code: 2001, details: 'single' });
  t.deepEqual(feedbackBody(feedback, 1234), {
    timestamp: 1234,
    status: { execution: 'proceeding', result: { finished: 'none', progress: { cnt: 3, of: 7 } }, code: 2001, details: ['single'] },
  });
  t.deepEqual(feedbackBody(buildFeedback('download', 'none', { progress: { cnt: 1 } })), { status: { execution: 'download', result: { finished: 'none', progress: { cnt: 1 } }, details: [] } });
});

test('bad progress, code or execution are refused', (t) => {
  t.true(isInvalidFeedbackError(t.throws(() => buildFeedback('proceeding', 'none', { progress: { cnt: -1 } }))));
  t.true(isInvalidFeedbackError(t.throws(() => buildFeedback('proceeding', 'none', { progress: { cnt: 1, of: 1.5 } }))));
  t.true(isInvalidFeedbackError(t.throws(() => buildFeedback('closed', 'failure', { code: 2 ** 31 }))));
  t.true(isInvalidFeedbackError(t.throws(() => buildFeedback('finished' as never, 'none'))));
  t.true(isInvalidFeedbackError(t.throws(() => buildFeedback('closed', 'ok' as never))));
});

test('long details are split into 512-character pieces', (t) => {
  const text = 'a'.repeat(512) + 'b'.repeat(512) + 'c';
  t.deepEqual(limitDetails([text, 'short']), ['a'.repeat(512), 'b'.repeat(512), 'c', 'short']);
});

test('a split never cuts a surrogate pair', (t) => {
  const text = 'x'.repeat(511) + '😀' + 'y';
  const pieces = limitDetails(text);
  t.deepEqual(pieces, ['x'.repeat(511), '😀y']);
  t.is(pieces.join(''), text);
});

test('at most 50 messages, the last one says how many were dropped', (t) => {
  const details = Array.from({ length: 60 }, (_, i) => `line ${i}`);
  const limited = limitDetails(details);
  t.is(limited.length, 50);
  t.is(limited[48], 'line 48');
  t.is(limited[49], '[truncated: 11 more detail messages not sent]');
  t.is(limitDetails(details.slice(0, 50)).length, 50);
  t.is(limitDetails(details.slice(0, 50))[49], 'line 49');
});

test('confirmation feedback', (t) => {
  const denied = buildConfirmation('denied', { code: 3002, details: ['local gate refused'] });
  t.true(Object.isFrozen(denied));
  t.deepEqual(confirmationBody(denied), { confirmation: 'denied', code: 3002, details: ['local gate refused'] });
  t.deepEqual(confirmationBody(buildConfirmation('confirmed')), { confirmation: 'confirmed', details: [] });
  t.true(isInvalidFeedbackError(t.throws(() => buildConfirmation('maybe' as never))));
});

test('redactDetails: a secret is found also across the 512-character pieces of one detail', (t) => {
  const secret = 'zz-secret-token-0123456789';
  const redact = (text: string) => text.split(secret).join('<redacted>');
  const long = `${'x'.repeat(500)}${secret}${'y'.repeat(600)}`;
  const feedback = buildFeedback('closed', 'failure', { details: ['short one', long, `tail ${secret}`] });
  t.is(feedback.details.length, 5);
  t.false(feedback.details.slice(1, 4).some((piece) => piece.includes(secret)), 'the split cuts the secret');
  const redacted = redactDetails(feedback.details, redact);
  t.false(redacted.join('').includes('zz-secret'), redacted.join('|'));
  t.deepEqual(redacted, limitDetails(['short one', `${'x'.repeat(500)}<redacted>${'y'.repeat(600)}`, 'tail <redacted>']));
  const clean = buildFeedback('closed', 'failure', { details: ['nothing here'] });
  t.is(redactDetails(clean.details, redact), clean.details, 'unchanged details are returned as they are');
});
