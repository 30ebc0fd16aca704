import { statfs } from 'node:fs/promises';
import { InsufficientSpaceError } from './errors.js';

/** Bytes an unprivileged writer can still use in the file system holding `directory`. */
export async function availableBytes(directory: string): Promise<number> {
  const stats = await statfs(directory);
  return stats.bavail * stats.bsize;
}

/**
 * Throws InsufficientSpaceError (with both numbers) when fewer than `bytes` bytes are free in the file
 * system holding `directory`. The agent calls it for a whole deployment before the first byte.
 */
export async function checkFreeSpace(directory: string, bytes: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  options.signal?.throwIfAborted();
  if (bytes <= 0) return;
  const available = await availableBytes(directory);
  options.signal?.throwIfAborted();
  if (available < bytes) throw new InsufficientSpaceError({ required: bytes, available, directory });
}
