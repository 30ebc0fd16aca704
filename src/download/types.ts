import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { SlotPoolCache } from './slot-pool-cache.js';

export interface ExpectedHashes {
  readonly md5?: string;
  readonly sha1?: string;
  readonly sha256?: string;
}

/** One file to fetch. Knows nothing of hawkBit: the caller maps an artifact onto this. */
export interface DownloadRequest {
  /** URLs to try in order (e.g. https link first, then http). */
  readonly urls: readonly string[];
  /** Untrusted name from the server; sanitised (UnsafeFilenameError) before it becomes a path. */
  readonly filename: string;
  /** Directory the file lands in; the result is always inside it. */
  readonly directory: string;
  /** Expected size in bytes, when known. */
  readonly size: number | undefined;
  readonly hashes: ExpectedHashes;
  /** Extra request headers (e.g. Authorization); dropped when a redirect leaves the first URL's origin. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface DownloadProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number | undefined;
  /** Bytes per second over the recent past. */
  readonly rate: number;
}

export interface DownloadOptions {
  readonly signal?: AbortSignal;
  /** Throttled: at most every 1 % or 1 s. */
  readonly onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadResult {
  /** Absolute path of the verified file. */
  readonly path: string;
  readonly size: number;
  /** The hashes that were checked and matched, hex lower case. */
  readonly verified: ExpectedHashes;
  /** True when an identical verified file was already there and nothing was fetched. */
  readonly reused: boolean;
  /** Bytes received over the network by this call (resumes included). */
  readonly bytesFetched: number;
}

export interface DownloaderOptions {
  readonly httpAgent?: HttpAgent;
  readonly httpsAgent?: HttpsAgent;
  /** Milliseconds; 0 = none. */
  readonly connectTimeoutMs: number;
  /** Abort (and maybe resume) when slower than `lowSpeedRate` B/s for `lowSpeedTimeMs`; 0 = never. */
  readonly lowSpeedTimeMs: number;
  readonly lowSpeedRate: number;
  /** Bytes per second; 0 = no cap. */
  readonly speedLimit: number;
  /** Resume with Range after a failure (else restart from 0). */
  readonly resume: boolean;
  /** Attempts after the first before giving up (the `download` retry policy's `retries`, src/net). */
  readonly retries: number;
  /** Accept a file for which no hash is given. */
  readonly allowUnverified: boolean;
  /** First wait before a retry, doubled per retry up to 60 s, each ±20 %; default 1000 ms (RETRY_POLICIES.download). */
  readonly retryDelayMs?: number;
  /** Slot pools (and their hash threads) kept across downloads, owned by the caller (the fleet); none: new ones per download. */
  readonly pools?: SlotPoolCache;
}
