// Benchmark DDI server (its own process, node:http only): one target whose controller base always offers
// a download-only action of one artifact. An action ends with a `downloaded` or `closed` feedback; the
// next poll then sees a new action id, so every run-once client (ours, rauc-hawkbit-updater) gets a
// fresh action. Artifacts are read 1 MiB at a time, with Range support. Arguments: one
// `name=path:md5:sha1:sha256` per artifact. Prints its port on stdout, then one JSON line per finished
// action ({ id, file, execution, finished, details }).
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';

const artifacts = new Map(
  process.argv.slice(2).map((arg) => {
    const [name, spec] = arg.split('=');
    const [path, md5, sha1, sha256] = spec.split(':');
    return [name, { name, path, md5, sha1, sha256, size: statSync(path).size }];
  }),
);
/** Which artifact the next action carries: set with POST /bench/next?file=name. */
let current = artifacts.keys().next().value;
let actionId = 1;

const json = (response, status, body) => {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/hal+json', 'content-length': Buffer.byteLength(text) }).end(text);
};

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
  const base = `http://${request.headers.host}/DEFAULT/controller/v1/bench`;
  const path = url.pathname;
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method === 'POST' && path === '/bench/next') {
      current = url.searchParams.get('file') ?? current;
      return json(response, 200, { file: current });
    }
    if (!path.startsWith('/DEFAULT/controller/v1/bench')) return json(response, 404, {});
    const rest = path.slice('/DEFAULT/controller/v1/bench'.length);
    if (request.method === 'GET' && (rest === '' || rest === '/')) {
      return json(response, 200, { config: { polling: { sleep: '00:00:01' } }, _links: { deploymentBase: { href: `${base}/deploymentBase/${actionId}?c=1` } } });
    }
    if (request.method === 'GET' && rest === `/deploymentBase/${actionId}`) {
      const artifact = artifacts.get(current);
      const href = `${base}/softwaremodules/1/artifacts/${artifact.name}`;
      return json(response, 200, {
        id: String(actionId),
        deployment: {
          download: 'forced',
          update: 'skip',
          chunks: [
            {
              part: 'os',
              name: 'bench',
              version: String(actionId),
              artifacts: [
                {
                  filename: artifact.name,
                  hashes: { sha1: artifact.sha1, md5: artifact.md5, sha256: artifact.sha256 },
                  size: artifact.size,
                  _links: { 'download-http': { href }, 'md5sum-http': { href: `${href}.MD5SUM` } },
                },
              ],
            },
          ],
        },
      });
    }
    const feedback = /^\/deploymentBase\/(\d+)\/feedback$/.exec(rest);
    if (request.method === 'POST' && feedback) {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        return json(response, 400, {});
      }
      const execution = body.status?.execution;
      if (Number(feedback[1]) === actionId && (execution === 'downloaded' || execution === 'closed')) {
        console.log(JSON.stringify({ id: actionId, file: current, execution, finished: body.status?.result?.finished, details: body.status?.details }));
        actionId += 1;
      }
      return json(response, 200, {});
    }
    if (request.method === 'PUT' && rest === '/configData') return json(response, 200, {});
    const file = /^\/softwaremodules\/1\/artifacts\/([^/]+)$/.exec(rest);
    const artifact = file && artifacts.get(decodeURIComponent(file[1]));
    if (request.method === 'GET' && artifact) {
      const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      const headers = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'content-length': artifact.size - start };
      if (range) headers['content-range'] = `bytes ${start}-${artifact.size - 1}/${artifact.size}`;
      response.writeHead(range ? 206 : 200, headers);
      createReadStream(artifact.path, { start, highWaterMark: 1024 * 1024 }).pipe(response);
      return;
    }
    json(response, 404, {});
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0));
