// Benchmark only — never shipped. The floor under the agent's idle poll: Node's own HTTP client polling
// the fake hawkBit as the agent does (keep-alive, the same headers, If-None-Match once an ETag came, the
// body read and parsed when there is one, a `timers/promises` sleep between polls), and nothing else:
// no axios, retries, signals, state or status file. `node bare-poll.cjs <url> <token>`; BENCH_POLL_MS
// (default 10) between polls; runs until killed. CommonJS, like the device bundle it is compared with.
'use strict';
const http = require('node:http');
const { setTimeout: sleep } = require('node:timers/promises');

const [url, token] = process.argv.slice(2);
const pauseMs = Number(process.env.BENCH_POLL_MS ?? 10);
const agent = new http.Agent({ keepAlive: true });
let etag;

function poll() {
  return new Promise((resolve, reject) => {
    const headers = { Accept: 'application/hal+json, application/json', 'User-Agent': 'bare-poll', Authorization: `TargetToken ${token}` };
    if (etag !== undefined) headers['If-None-Match'] = etag;
    const request = http.get(url, { agent, headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        if (response.headers.etag !== undefined) etag = response.headers.etag;
        if (response.statusCode === 200) JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve();
      });
    });
    request.on('error', reject);
  });
}

(async () => {
  for (;;) {
    await poll();
    await sleep(pauseMs);
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
