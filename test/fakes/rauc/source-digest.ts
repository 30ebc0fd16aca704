import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

/** What arrived: the sha256 and size of the bytes the fake read from the source. */
export interface SourceDigest {
  readonly sha256: string;
  readonly size: number;
}

/** InstallBundle args as the fake received them (Variants unwrapped). */
export interface ReceivedArgs {
  readonly 'http-headers'?: readonly string[];
  readonly 'tls-cert'?: string;
  readonly 'tls-key'?: string;
  readonly 'tls-ca'?: string;
  readonly 'tls-no-verify'?: boolean;
  readonly [key: string]: unknown;
}

/**
 * Reads the whole bundle the way RAUC would get it: a file path, or an http(s) URL fetched with the
 * streaming args (headers, client cert/key, CA, no-verify). Rejects with RAUC-like texts.
 */
export async function digestSource(source: string, args: ReceivedArgs): Promise<SourceDigest> {
  if (/^https?:\/\//i.test(source)) {
    try {
      return await hash(await download(source, args));
    } catch (error) {
      throw new Error(`Failed to download bundle ${source}: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    return await hash(createReadStream(source));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (error as Error).message;
    throw new Error(`Invalid bundle format: Failed to open bundle for reading: Error opening file ${source}: ${reason}`, { cause: error });
  }
}

async function hash(stream: Readable): Promise<SourceDigest> {
  const sha256 = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    sha256.update(chunk);
  }
  return { sha256: sha256.digest('hex'), size };
}

async function download(url: string, args: ReceivedArgs): Promise<Readable> {
  const headers: Record<string, string> = {};
  for (const line of args['http-headers'] ?? []) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  const secure = url.toLowerCase().startsWith('https:');
  const tls = secure
    ? {
        ca: args['tls-ca'] ? await readFile(args['tls-ca']) : undefined,
        cert: args['tls-cert'] ? await readFile(args['tls-cert']) : undefined,
        key: args['tls-key'] ? await readFile(args['tls-key']) : undefined,
        rejectUnauthorized: args['tls-no-verify'] !== true,
      }
    : {};
  return await new Promise<Readable>((resolve, reject) => {
    const request = (secure ? https : http).get(url, { headers, ...tls }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`Transfer failed: HTTP ${response.statusCode}`));
        return;
      }
      resolve(response);
    });
    request.on('error', reject);
  });
}
