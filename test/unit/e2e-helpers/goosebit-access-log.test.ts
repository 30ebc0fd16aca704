import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { accessLog, deviceRequests, goosebitServer, type GoosebitServer } from '../../e2e/goosebit/goosebit-server.js';
import { downloads, feedbacks, installedCount, polls } from '../../e2e/goosebit/support.js';

const LOG = `2026-12-01 09:01:28,539 goosebit.plugins INFO No plugins found.
INFO:     Uvicorn running on http://127.0.0.1:40685 (Press CTRL+C to quit)
INFO:     127.0.0.1:40280 - "GET /docs HTTP/1.1" 200 OK
INFO:     127.0.0.1:40294 - "GET /DEFAULT/controller/v1/dev-1 HTTP/1.1" 200 OK
INFO:     127.0.0.1:40294 - "PUT /DEFAULT/controller/v1/dev-1/configData HTTP/1.1" 200 OK
INFO:     127.0.0.1:40294 - "GET /DEFAULT/controller/v1/dev-10 HTTP/1.1" 401 Unauthorized
INFO:     127.0.0.1:40294 - "GET /DEFAULT/controller/v1/dev-1/deploymentBase/3 HTTP/1.1" 200 OK
INFO:     127.0.0.1:40294 - "POST /DEFAULT/controller/v1/dev-1/deploymentBase/3/feedback HTTP/1.1" 422 Unprocessable Content
2026-12-01 09:01:29,126 DDI API INFO Skip: registration required, device=dev-1
INFO:     127.0.0.1:40294 - "GET /DEFAULT/controller/v1/dev-1/download HTTP/1.1" 206 Partial Content
INFO:     127.0.0.1:40294 - "GET /DEFAULT/controller/v1/dev-1?x=1 HTTP/1.1" 200 OK
`;

async function withLog(run: (server: GoosebitServer) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hr-goosebit-log-'));
  try {
    await writeFile(join(dir, 'server.log'), LOG);
    await run({ url: 'http://127.0.0.1:1', dir, deviceAuth: 'off' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the access log is read line by line; other log lines are skipped', async (t) => {
  await withLog(async (server) => {
    const entries = await accessLog(server);
    t.is(entries.length, 8);
    t.deepEqual(entries[0], { method: 'GET', path: '/docs', status: 200 });
    t.deepEqual(entries[5], { method: 'POST', path: '/DEFAULT/controller/v1/dev-1/deploymentBase/3/feedback', status: 422 });
  });
});

test("a device's requests: its base and below, not another id that starts the same", async (t) => {
  await withLog(async (server) => {
    const entries = await deviceRequests(server, 'dev-1');
    t.is(entries.length, 6);
    t.false(entries.some((entry) => entry.path.includes('dev-10')));
    t.is(polls(entries), 2);
    t.is(feedbacks(entries), 1);
    t.is(downloads(entries), 1);
    t.deepEqual(
      entries.filter((entry) => entry.status >= 400).map((entry) => entry.status),
      [422],
    );
  });
});

test("RAUC's installed.count is read as a number, 0 when absent", (t) => {
  const slot = (raw: Record<string, unknown>) => ({ name: 'rootfs.1', class: 'rootfs', bootname: 'B', state: 'inactive', bootStatus: 'good', bundleVersion: undefined, bundleCompatible: undefined, sha256: undefined, raw });
  t.is(installedCount(slot({ 'installed.count': 2 })), 2);
  t.is(installedCount(slot({ 'installed.count': 3n })), 3);
  t.is(installedCount(slot({})), 0);
  t.is(installedCount(undefined), 0);
});

test('without the variables of scripts/test-e2e.sh the tests say how to run them', (t) => {
  const saved = { url: process.env.GOOSEBIT_STRICT_URL, dir: process.env.GOOSEBIT_STRICT_DIR };
  delete process.env.GOOSEBIT_STRICT_URL;
  delete process.env.GOOSEBIT_STRICT_DIR;
  try {
    t.throws(() => goosebitServer('strict'), { message: /GOOSEBIT_STRICT_URL and GOOSEBIT_STRICT_DIR are not set: run .*npm run test:e2e/ });
  } finally {
    if (saved.url !== undefined) process.env.GOOSEBIT_STRICT_URL = saved.url;
    if (saved.dir !== undefined) process.env.GOOSEBIT_STRICT_DIR = saved.dir;
  }
});
