export { Downloader } from './downloader.js';
export { checkFreeSpace } from './free-space.js';
export { SlotPoolCache } from './slot-pool-cache.js';
export { removeStaleParts } from './stale-parts.js';
export { safeFilename } from './safe-filename.js';
export {
  ChecksumMismatchError,
  DownloadFailedError,
  DownloadHttpError,
  DownloadStalledError,
  DownloadTimeoutError,
  InsufficientSpaceError,
  SizeMismatchError,
  UnsafeFilenameError,
  UnverifiedDownloadError,
  isChecksumMismatchError,
  isDownloadFailedError,
  isDownloadHttpError,
  isDownloadStalledError,
  isDownloadTimeoutError,
  isInsufficientSpaceError,
  isSizeMismatchError,
  isUnsafeFilenameError,
  isUnverifiedDownloadError,
  type HashAlgorithm,
} from './errors.js';
export type { DownloaderOptions, DownloadOptions, DownloadProgress, DownloadRequest, DownloadResult, ExpectedHashes } from './types.js';
