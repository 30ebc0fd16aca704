import { STATUS_CODES } from '../ddi/index.js';
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
import { isStateLoopError } from './state-store.js';

/** First matching guard decides the code; anything unknown is an internal error. */
const CLASSES: readonly [(error: unknown) => boolean, number, string?][] = [
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
