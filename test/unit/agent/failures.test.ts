import test from 'ava';
import { failureFromError } from '../../../src/agent/failures.js';
import { DdiAuthError, DdiHttpError, DdiNetworkError, DdiNotFoundError, DdiProtocolError, DdiQuotaError, STATUS_CODES } from '../../../src/ddi/index.js';

test('every DDI error during an action is a protocol error (4001), never an internal one', (t) => {
  const errors = [
    new DdiProtocolError('deployment.chunks', 'deployment.chunks: expected an array'),
    new DdiHttpError(400, undefined, 'GET /x: the server answered 400'),
    new DdiHttpError(503, 5000, 'GET /x: the server answered 503'),
    new DdiAuthError(401, 'GET /x: the server refused the credential (401)'),
    new DdiNotFoundError('/x', 'GET /x: not found (404)'),
    new DdiQuotaError(429, 'hawkbit.server.error.quota.tooManyEntries', 'quota'),
    new DdiNetworkError('reset', 'GET /x: connection reset'),
  ];
  for (const error of errors) t.like(failureFromError(error), { result: 'failure', code: STATUS_CODES.PROTOCOL_ERROR, details: [error.message] }, error.name);
});

test('an unknown error is an internal error (5001)', (t) => {
  t.like(failureFromError(new TypeError('x is undefined')), { code: STATUS_CODES.INTERNAL_ERROR });
  t.like(failureFromError('a string'), { code: STATUS_CODES.INTERNAL_ERROR, details: ['a string'] });
});
