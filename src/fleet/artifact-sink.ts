import { link, mkdir, rename, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactDownloader } from '../agent/index.js';
import type { DownloadOptions, DownloadRequest, DownloadResult } from '../download/index.js';
import { systemErrorCode } from '../lib/errors.js';

/**
 * What becomes of an artifact once the real downloader fetched and verified it (size, MD5, SHA-256):
 * `discard` keeps an empty file of its name (the simulated installer reads no bytes, and the agent finds
 * its file), `store` keeps one copy per SHA-256 in the fleet's `artifacts/` directory and gives every
 * device a hard link to it.
 */
export type ArtifactMode = 'discard' | 'store';

export interface ArtifactSinkOptions {
  readonly mode: ArtifactMode;
  /** The content-addressed store (`store` mode). */
  readonly storeDir: string;
  /** Bytes fetched over the network, per download. */
  readonly onBytes: (bytes: number) => void;
}

/** Wraps a device's downloader (createAgent's `wrapDownloader`). */
export function artifactSink(options: ArtifactSinkOptions): (downloader: ArtifactDownloader) => ArtifactDownloader {
  return (downloader) => ({
    async download(request: DownloadRequest, downloadOptions?: DownloadOptions): Promise<DownloadResult> {
      const result = await downloader.download(request, downloadOptions);
      options.onBytes(result.bytesFetched);
      if (result.reused) return result;
      if (options.mode === 'discard') {
        await truncate(result.path, 0);
        return result;
      }
      const sha256 = result.verified.sha256;
      if (sha256 === undefined) return result;
      await mkdir(options.storeDir, { recursive: true });
      const stored = join(options.storeDir, sha256);
      try {
        await link(result.path, stored);
      } catch (error) {
        if (systemErrorCode(error) !== 'EEXIST') throw error;
        // Already stored: this device's copy becomes a link to the stored one.
        const temp = `${result.path}.link`;
        await unlink(temp).catch(() => undefined);
        await link(stored, temp);
        await rename(temp, result.path);
      }
      return result;
    },
  });
}
