import { isDdiActionClosedError, isDdiAuthError, isDdiHttpError, isDdiNetworkError, isDdiNotFoundError, isDdiProtocolError, isDdiQuotaError, STATUS_CODES } from '../ddi/index.js';
import {
  isChecksumMismatchError,
  isInsufficientSpaceError,
  isUnsafeFilenameError,
  isUnverifiedDownloadError,
} from '../download/index.js';
import { errorMessage } from '../lib/errors.js';
import { isRaucInstallError, isRaucUnavailableError, isRaucVanishedError } from '../rauc/index.js';
import { isRebootError } from '../system/index.js';
import { isInstallInterruptedError } from './install-step.js';
import type { Outcome } from './state.js';
import { isStateLoopError } from './transitions.js';

type Guard = (error: unknown) => boolean;

/** Any error of the DDI client: the server's answer did not fit, or the exchange failed after its retries. */
const isDdiError: Guard = (error) =>
  [isDdiProtocolError, isDdiHttpError, isDdiAuthError, isDdiNotFoundError, isDdiQuotaError, isDdiNetworkError, isDdiActionClosedError].some((guard) => guard(error));

/**
 * The one mapping from a failure class to the `status.code` hawkBit receives (docs/protocol.md, "Status
 * codes"). First matching guard decides; anything unknown is an internal error. Outcomes decided without
 * an error (update policy refusals, an unusable deployment, the reboot check) name their code where
 * they are decided, from the same STATUS_CODES.
 */
const CLASSES: readonly [Guard, number, string?][] = [
  [isChecksumMismatchError, STATUS_CODES.CHECKSUM_MISMATCH],
  [isInsufficientSpaceError, STATUS_CODES.INSUFFICIENT_SPACE],
  [isUnsafeFilenameError, STATUS_CODES.UNSUPPORTED_ARTIFACT],
  [isUnverifiedDownloadError, STATUS_CODES.UNSUPPORTED_ARTIFACT],
  [(error) => error instanceof Error && error.name.startsWith('Download'), STATUS_CODES.DOWNLOAD_FAILED],
  [isRaucUnavailableError, STATUS_CODES.INSTALL_FAILED, ' (is the RAUC service running?)'],
  [isRaucVanishedError, STATUS_CODES.INSTALL_FAILED],
  [isRaucInstallError, STATUS_CODES.INSTALL_FAILED],
  [isInstallInterruptedError, STATUS_CODES.INSTALL_FAILED],
  [isRebootError, STATUS_CODES.INSTALL_FAILED],
  [isDdiError, STATUS_CODES.PROTOCOL_ERROR],
  [isStateLoopError, STATUS_CODES.INTERNAL_ERROR],
];

/** Maps any error of an action to the failure reported to hawkBit: a stable code and a readable text. */
export function failureFromError(error: unknown): Outcome {
  const match = CLASSES.find(([guard]) => guard(error));
  return {
    result: 'failure',
    code: match?.[1] ?? STATUS_CODES.INTERNAL_ERROR,
    details: [`${errorMessage(error)}${match?.[2] ?? ''}`],
  };
}
