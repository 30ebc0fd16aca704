// Benchmark file server (its own process): serves files given as `route=path` arguments with Range
// support, reading 1 MiB at a time. Prints its port on stdout.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';

const routes = new Map(process.argv.slice(2).map((arg) => {
  const [route, path] = arg.split('=');
  return [route, { path, size: statSync(path).size }];
}));

const server = createServer((request, response) => {
  const file = routes.get(new URL(request.url ?? '/', 'http://x').pathname);
  if (file === undefined) {
    response.writeHead(404).end();
    return;
  }
  const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  const headers = { 'content-type': 'application/octet-stream', 'content-length': file.size - start };
  if (range) headers['content-range'] = `bytes ${start}-${file.size - 1}/${file.size}`;
  response.writeHead(range ? 206 : 200, headers);
  createReadStream(file.path, { start, highWaterMark: 1024 * 1024 }).pipe(response);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0));
