import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `content` so that after a crash or power loss the file holds either the old or
 * the new content, never a mix: write a temp file beside it, fsync it, rename it over, fsync the
 * directory. On failure (e.g. ENOSPC) the old file is left untouched and the temp file removed.
 * `durable: false` skips both fsyncs: readers still never see a partly written file, but after a power
 * loss the file may be old or empty. Only for files that are informational (the status file, written
 * at every poll: two fsyncs per poll cost CPU time and flash wear for nothing).
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array, options: { durable?: boolean } = {}): Promise<void> {
  const durable = options.durable ?? true;
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(content);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (durable) await syncDirectory(dirname(path));
}

export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
