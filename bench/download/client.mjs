// One benchmark download with our Downloader (built: dist/), in its own process so that its CPU time
// and peak RSS are measured alone. Arguments: url directory size md5|- sha256|-
import { Agent } from 'node:http';
import { Downloader } from '../../dist/download/index.js';

const [url, directory, size, md5, sha256] = process.argv.slice(2);
// A no-op Logger written out here: importing dist/log would load winston, which is not part of what is
// measured (the agent loads it anyway).
const noop = () => undefined;
const log = { error: noop, critical: noop, warning: noop, message: noop, info: noop, debug: noop, child: () => log };
const hashes = md5 === '-' ? {} : { md5, sha256 };
const downloader = new Downloader({
  log,
  // No keep-alive: an idle pooled socket would hold the process open after the download.
  httpAgent: new Agent({ keepAlive: false }),
  connectTimeoutMs: 20_000,
  lowSpeedTimeMs: 60_000,
  lowSpeedRate: 100,
  speedLimit: 0,
  resume: true,
  retries: 0,
  allowUnverified: md5 === '-',
});
const result = await downloader.download({ urls: [url], filename: 'ours.bin', directory, size: Number(size), hashes });
if (result.size !== Number(size) || result.reused) throw new Error(`unexpected result ${JSON.stringify(result)}`);
