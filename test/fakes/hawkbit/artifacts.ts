import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type HashName = 'md5' | 'sha1' | 'sha256';

/** One artifact as pushed by a test. */
export interface ArtifactSpec {
  readonly filename: string;
  readonly content: Buffer;
  /** Hashes left out of the deployment JSON (old servers have no sha256). */
  readonly omitHashes?: readonly HashName[];
  /** Bytes served instead of `content` (hashes stay those of `content`): a permanent hash mismatch. */
  readonly servedContent?: Buffer;
}

export interface StoredArtifact extends ArtifactSpec {
  readonly hashes: Readonly<Record<HashName, string>>;
}

export function storeArtifact(spec: ArtifactSpec): StoredArtifact {
  const hash = (name: HashName) => createHash(name).update(spec.content).digest('hex');
  return { ...spec, hashes: { md5: hash('md5'), sha1: hash('sha1'), sha256: hash('sha256') } };
}

/** DdiArtifact JSON, with the links the default server emits (`download-http`, `md5sum-http`). */
export function artifactJson(artifact: StoredArtifact, moduleUrl: string): Record<string, unknown> {
  const hashes: Record<string, string> = {};
  for (const name of ['sha1', 'md5', 'sha256'] as const) {
    if (!artifact.omitHashes?.includes(name)) hashes[name] = artifact.hashes[name];
  }
  const href = `${moduleUrl}/artifacts/${encodeURIComponent(artifact.filename)}`;
  return {
    filename: artifact.filename,
    hashes,
    size: artifact.content.length,
    _links: { 'download-http': { href }, 'md5sum-http': { href: `${href}.MD5SUM` } },
  };
}

/** How the next artifact response misbehaves (set through FakeHawkbit fault hooks). */
export interface DownloadFault {
  readonly corrupt: boolean;
  /** Close the connection after this many body bytes (the headers promise the full length). */
  readonly interruptAfter: number | undefined;
}

/** One artifact body as the server sent it. */
export interface ServedDownload {
  readonly filename: string;
  /** First byte of the body asked for (Range), 0 without one. */
  readonly offset: number;
  /** When the headers went out (ms since epoch). */
  readonly startedAt: number;
  /** After each 64 KiB write the socket accepted: when, and the body bytes accepted so far. */
  readonly sent: { at: number; bytes: number }[];
}

const WRITE_SIZE = 64 * 1024;

/**
 * Serves artifact bytes with single-range support (206/416), like hawkBit's download resource, in
 * 64 KiB writes, each after the socket accepted the one before (so a client that stops reading stops
 * the server). Returns the record of a body being sent (undefined for 416 and HEAD).
 */
export function serveArtifact(req: IncomingMessage, res: ServerResponse, artifact: StoredArtifact, fault: DownloadFault): ServedDownload | undefined {
  let body = artifact.servedContent ?? artifact.content;
  const total = body.length;
  const headers: Record<string, string | number> = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    etag: `"${artifact.hashes.sha1}"`,
    'content-disposition': `attachment;filename=${encodeURIComponent(artifact.filename)}`,
  };
  let status = 200;
  let offset = 0;
  const range = req.headers.range;
  if (range !== undefined) {
    const parsed = parseRange(range, total);
    if (parsed === undefined) {
      res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
      return undefined;
    }
    status = 206;
    headers['content-range'] = `bytes ${parsed.start}-${parsed.end}/${total}`;
    body = body.subarray(parsed.start, parsed.end + 1);
    offset = parsed.start;
  }
  if (fault.corrupt && body.length > 0) {
    body = Buffer.from(body);
    body[0] = body[0]! ^ 0xff;
  }
  headers['content-length'] = body.length;
  res.writeHead(status, headers);
  if (req.method === 'HEAD') {
    res.end();
    return undefined;
  }
  const served: ServedDownload = { filename: artifact.filename, offset, startedAt: Date.now(), sent: [] };
  const end = fault.interruptAfter !== undefined && fault.interruptAfter < body.length ? fault.interruptAfter : body.length;
  let done = 0;
  const next = (): void => {
    if (done >= end) {
      if (end < body.length) res.destroy();
      else res.end();
      return;
    }
    const chunk = body.subarray(done, Math.min(end, done + WRITE_SIZE));
    res.write(chunk, (error) => {
      if (error) return;
      done += chunk.length;
      served.sent.push({ at: Date.now(), bytes: done });
      next();
    });
  };
  next();
  return served;
}

function parseRange(header: string, total: number): { start: number; end: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, total - Number(match[2]));
    end = total - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? total - 1 : Math.min(Number(match[2]), total - 1);
  }
  return start <= end && start < total ? { start, end } : undefined;
}
