export { DdiClient, type DdiAuthentication, type DdiClientOptions } from './client.js';
export {
  DdiActionClosedError,
  DdiAuthError,
  DdiHttpError,
  DdiNetworkError,
  DdiNotFoundError,
  DdiProtocolError,
  DdiQuotaError,
  isDdiActionClosedError,
  isDdiAuthError,
  isDdiHttpError,
  isDdiNetworkError,
  isDdiNotFoundError,
  isDdiProtocolError,
  isDdiQuotaError,
} from './errors.js';
export {
  buildConfirmation,
  buildFeedback,
  confirmationBody,
  DETAIL_PIECE_LENGTH,
  feedbackBody,
  InvalidFeedbackError,
  isInvalidFeedbackError,
  limitDetails,
  redactDetails,
  MAX_DETAIL_MESSAGES,
  type FeedbackOptions,
} from './feedback.js';
export { MAX_ATTRIBUTE_LENGTH, MAX_ATTRIBUTES, validateAttributes } from './attributes.js';
export { parsePollingSleep } from './polling-sleep.js';
export { ddiRetryAfterMs, isRetryable, isRetryableStatus } from './retryable.js';
/** The one retry module (src/net) for library users: `DdiClientOptions.retry` replaces fields of `RETRY_POLICIES.ddiCall`. */
export { parseRetryAfter, RETRY_POLICIES, retryDelayMs, withRetry, type RetryOptions, type RetryPolicy } from '../net/index.js';
export { STATUS_CODES, type StatusCode, type StatusCodeName } from './status-codes.js';
export { EXECUTIONS, FINISHED, type ConfirmationFeedback, type Execution, type Feedback, type FeedbackProgress, type Finished } from './feedback-types.js';
export type * from './handles.js';
export type * from './model.js';
