import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { Downloader } from '../../../src/download/index.js';
import type { DownloaderOptions, DownloadRequest } from '../../../src/download/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { FaultServer, type TestFile } from './fault-server.js';

/** A fresh temporary directory, removed after the test. */
export async function tempDir(t: ExecutionContext): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-download-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

/** A fault server closed after the test. */
export async function faultServer(t: ExecutionContext): Promise<FaultServer> {
  const server = await FaultServer.start();
  t.teardown(() => server.close());
  return server;
}

/** Test settings: short waits, generous limits (the machine may be loaded). */
export function downloader(overrides: Partial<DownloaderOptions> = {}): Downloader {
  return new Downloader({
    log: silentLogger(),
    connectTimeoutMs: 20_000,
    lowSpeedTimeMs: 0,
    lowSpeedRate: 0,
    speedLimit: 0,
    resume: true,
    retries: 3,
    allowUnverified: false,
    retryDelayMs: 5,
    ...overrides,
  });
}

/** A request for `file` at `url` with MD5 and SHA-256 given. */
export function requestFor(file: TestFile, url: string | string[], directory: string, extra: Partial<DownloadRequest> = {}): DownloadRequest {
  return {
    urls: Array.isArray(url) ? url : [url],
    filename: 'bundle.raucb',
    directory,
    size: file.data.length,
    hashes: { md5: file.md5, sha256: file.sha256 },
    ...extra,
  };
}

export async function listDir(directory: string): Promise<string[]> {
  return (await readdir(directory)).sort();
}

export async function sameContent(path: string, file: TestFile): Promise<boolean> {
  return (await readFile(path)).equals(file.data);
}
