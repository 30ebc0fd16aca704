import test from 'ava';
import fc from 'fast-check';
import {
  buildConfirmation, buildFeedback, confirmationBody, DETAIL_PIECE_LENGTH, EXECUTIONS, feedbackBody, FINISHED, isInvalidFeedbackError,
  MAX_DETAIL_MESSAGES, type Execution, type Finished,
} from '../../../src/ddi/index.js';
import { FakeTarget } from '../../fakes/hawkbit/index.js';
import { propertyParams } from '../../helpers/property.js';

/** A target of the fake server without the HTTP part: its handler checks bodies as hawkBit does. */
function fakeTarget(): FakeTarget {
  let ids = 0;
  return new FakeTarget('dev-1', 'token', {
    baseUrl: () => 'http://fake.test/DEFAULT/controller/v1/dev-1',
    nextId: () => ++ids,
    quotaStatus: 429,
    maxStatusEntries: Number.POSITIVE_INFINITY,
    pollingSleep: () => '00:01:00',
  });
}

const CHUNKS = [{ part: 'os', name: 'fw', version: '1', artifacts: [{ filename: 'u.raucb', content: Buffer.from('x') }] }];

/** Detail text of every size around the limits, with astral characters that must not be split. */
const detail = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 700 }),
  fc.tuple(fc.nat({ max: 2 * DETAIL_PIECE_LENGTH + 3 }), fc.constantFrom('a', '😀', 'é')).map(([n, c]) => c.repeat(n)),
);
const details = fc.oneof(fc.array(detail, { maxLength: 70 }), detail, fc.constant(undefined));
const progress = fc.option(fc.record({ cnt: fc.nat(), of: fc.option(fc.nat(), { nil: undefined }) }, { requiredKeys: ['cnt'] }), { nil: undefined });
const code = fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined });

/** The limits hawkBit enforces, and that splitting lost nothing (or said what it dropped). */
function withinLimits(pieces: readonly string[], input: readonly string[] | string | undefined): boolean {
  const original = (input === undefined ? [] : typeof input === 'string' ? [input] : input).join('');
  const brokenPair = pieces.some((piece, i) => /[\ud800-\udbff]$/.test(piece) && /^[\udc00-\udfff]/.test(pieces[i + 1] ?? ''));
  const lengthsOk = pieces.length <= MAX_DETAIL_MESSAGES && pieces.every((p) => p.length <= DETAIL_PIECE_LENGTH);
  if (!lengthsOk || brokenPair || !Object.isFrozen(pieces)) return false;
  if (pieces.join('') === original) return true;
  // Truncated: the last message says so, and everything before it is the start of the text.
  return pieces.length === MAX_DETAIL_MESSAGES && /^\[truncated: \d+ more detail messages not sent\]$/.test(pieces.at(-1)!)
    && original.startsWith(pieces.slice(0, -1).join(''));
}

test('property: deployment and cancel feedback is within the limits, valid JSON, and accepted by the fake server', (t) => {
  const target = fakeTarget();
  fc.assert(
    fc.property(fc.constantFrom(...EXECUTIONS), fc.constantFrom(...FINISHED), details, progress, code, fc.boolean(), (execution, finished, input, prog, status, cancel) => {
      const feedback = buildFeedback(execution, finished, { details: input, ...(prog ? { progress: prog } : {}), ...(status === undefined ? {} : { code: status }) });
      if (!withinLimits(feedback.details, input) || !Object.isFrozen(feedback)) return false;
      const { actionId } = target.pushDeployment({ type: 'forced', chunks: CHUNKS });
      const body = JSON.parse(JSON.stringify(feedbackBody(feedback, undefined, actionId))) as { status: { execution: string; result: { finished: string } } };
      if (!(EXECUTIONS as readonly string[]).includes(body.status.execution) || !(FINISHED as readonly string[]).includes(body.status.result.finished)) return false;
      if (cancel) target.cancel(actionId);
      const reply = target.handle('POST', [cancel ? 'cancelAction' : 'deploymentBase', actionId, 'feedback'], new URLSearchParams(), body);
      return reply.status === 200;
    }),
    propertyParams(300),
  );
  t.pass();
});

test('property: confirmation feedback is within the limits and accepted by the fake server', (t) => {
  const target = fakeTarget();
  fc.assert(
    fc.property(fc.constantFrom('confirmed', 'denied') as fc.Arbitrary<'confirmed' | 'denied'>, details, code, (decision, input, status) => {
      const feedback = buildConfirmation(decision, { details: input, ...(status === undefined ? {} : { code: status }) });
      if (!withinLimits(feedback.details, input)) return false;
      const { actionId } = target.pushDeployment({ type: 'forced', confirmationRequired: true, chunks: CHUNKS });
      const body = JSON.parse(JSON.stringify(confirmationBody(feedback))) as unknown;
      return target.handle('POST', ['confirmationBase', actionId, 'feedback'], new URLSearchParams(), body).status === 200;
    }),
    propertyParams(200),
  );
  t.pass();
});

test('property: bad arguments to the builders are an InvalidFeedbackError, nothing else', (t) => {
  const anyValue = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.constant(undefined), fc.constant(null));
  fc.assert(
    fc.property(fc.oneof(fc.constantFrom(...EXECUTIONS), fc.string()), fc.oneof(fc.constantFrom(...FINISHED), fc.string()), anyValue, anyValue, anyValue,
      (execution, finished, cnt, of, status) => {
        try {
          const feedback = buildFeedback(execution as Execution, finished as Finished, { progress: { cnt, of } as never, code: status as never });
          return (EXECUTIONS as readonly string[]).includes(feedback.execution) && Number.isSafeInteger(feedback.progress?.cnt);
        } catch (error) {
          if (isInvalidFeedbackError(error)) return true;
          throw error;
        }
      }),
    propertyParams(300),
  );
  t.pass();
});
