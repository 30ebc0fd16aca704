/**
 * The goosebit servers of an e2e run (started by scripts/test-e2e.sh with scripts/goosebit-server.sh):
 * one with device authentication off (goosebit's default) and one in strict mode, and what they
 * record: uvicorn's access log (every request with the status goosebit answered) and the artifact
 * store.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type DeviceAuth = 'off' | 'strict';

export interface GoosebitServer {
  readonly url: string;
  /** The server's temp dir (database, artifacts, server.log). */
  readonly dir: string;
  readonly deviceAuth: DeviceAuth;
}

/** One line of uvicorn's access log. */
export interface AccessEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

const VARIABLES: Record<DeviceAuth, { url: string; dir: string }> = {
  off: { url: 'GOOSEBIT_URL', dir: 'GOOSEBIT_DIR' },
  strict: { url: 'GOOSEBIT_STRICT_URL', dir: 'GOOSEBIT_STRICT_DIR' },
};

/** The server of this run with that device-auth mode; a clear error when the tests were started without it. */
export function goosebitServer(deviceAuth: DeviceAuth): GoosebitServer {
  const names = VARIABLES[deviceAuth];
  const url = process.env[names.url];
  const dir = process.env[names.dir];
  if (url === undefined || url === '' || dir === undefined || dir === '') {
    throw new Error(`${names.url} and ${names.dir} are not set: run the goosebit tests with \`npm run test:e2e\` (E2E_SERVERS=goosebit for these alone)`);
  }
  return { url, dir, deviceAuth };
}

// INFO:     127.0.0.1:40294 - "GET /DEFAULT/controller/v1/dev1 HTTP/1.1" 200 OK
const ACCESS_LINE = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3})/;

/** Every request uvicorn logged so far, oldest first. */
export async function accessLog(server: GoosebitServer): Promise<AccessEntry[]> {
  const text = await readFile(join(server.dir, 'server.log'), 'utf8');
  const entries: AccessEntry[] = [];
  for (const line of text.split('\n')) {
    const match = ACCESS_LINE.exec(line);
    if (match) entries.push({ method: match[1] ?? '', path: match[2] ?? '', status: Number(match[3]) });
  }
  return entries;
}

/** The requests one device made to the DDI API (`/DEFAULT/controller/v1/<id>` and below). */
export async function deviceRequests(server: GoosebitServer, deviceId: string): Promise<AccessEntry[]> {
  const base = `/DEFAULT/controller/v1/${encodeURIComponent(deviceId)}`;
  return (await accessLog(server)).filter((entry) => entry.path === base || entry.path.startsWith(`${base}/`) || entry.path.startsWith(`${base}?`));
}

/** Where goosebit keeps an uploaded file: `<artifacts>/<sha1>/<filename>`. */
export function artifactPath(server: GoosebitServer, sha1: string, filename: string): string {
  return join(server.dir, 'artifacts', sha1, filename);
}
