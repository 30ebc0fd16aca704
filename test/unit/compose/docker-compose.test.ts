/**
 * docker-compose.yml cannot be run here (no Docker): these tests parse it and keep it consistent with
 * scripts/hawkbit-server.sh (same hawkBit version, same server arguments), with `npm run demo` (the
 * agent service runs the same demo script against the hawkbit service) and with .ci/run (the same
 * RAUC packages).
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

interface Service {
  image?: string;
  ports?: string[];
  command?: string[] | string;
  volumes?: string[];
  depends_on?: unknown;
  environment?: Record<string, string>;
  privileged?: boolean;
}

async function load(): Promise<{ services: Record<string, Service>; script: string; serverArgs: string[] }> {
  const compose = parse(await readFile(root('docker-compose.yml'), 'utf8')) as { services?: Record<string, Service> };
  const script = await readFile(root('scripts/hawkbit-server.sh'), 'utf8');
  const serverArgs = (await readFile(root('scripts/hawkbit-server/server.args'), 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return { services: compose.services ?? {}, script, serverArgs };
}

function commandText(service: Service | undefined): string {
  const command = service?.command;
  return Array.isArray(command) ? command.join('\n') : (command ?? '');
}

test('hawkbit service: the official image at the version the script pins', async (t) => {
  const { services, script } = await load();
  const pinned = /^readonly DEFAULT_VERSION=(\S+)$/m.exec(script)?.[1];
  t.truthy(pinned, 'scripts/hawkbit-server.sh pins DEFAULT_VERSION');
  t.is(services.hawkbit?.image, `hawkbit/hawkbit-update-server:${pinned}`);
});

test('hawkbit service: every server argument of the script, and no conflicting value', async (t) => {
  const { services, serverArgs } = await load();
  const command = services.hawkbit?.command;
  t.true(Array.isArray(command), 'the hawkbit command is a list of arguments');
  const args = (command as string[]).map(String);
  t.true(serverArgs.length >= 4, 'server.args holds the test settings');
  for (const arg of serverArgs) t.true(args.includes(arg), `missing ${arg}`);
  const keys = args.map((arg) => arg.split('=')[0]);
  t.is(new Set(keys).size, keys.length, 'each property once');
});

test('agent service: runs the script of `npm run demo` against the hawkbit service\'s published port', async (t) => {
  const { services } = await load();
  const agent = services.agent;
  const packageJson = JSON.parse(await readFile(root('package.json'), 'utf8')) as { scripts: Record<string, string> };
  const demo = /node --import=tsx \S+/.exec(packageJson.scripts.demo ?? '')?.[0];
  t.truthy(demo, 'package.json has a demo script running a TS file');
  t.true(commandText(agent).includes(`exec ${demo}`), commandText(agent));
  t.true(commandText(agent).includes('npm run build'), 'dist/cli.js is built before the demo runs it');
  t.deepEqual(services.hawkbit?.ports, ['8080:8080']);
  t.is(agent?.environment?.HAWKBIT_URL, 'http://hawkbit:8080');
  t.is(agent?.environment?.HAWKBIT_PUBLIC_URL, 'http://localhost:8080');
  t.regex(commandText(agent), /until curl -fsS -o \/dev\/null -u admin:admin http:\/\/hawkbit:8080\/rest\/v1\/targets/);
  t.deepEqual(agent?.depends_on, ['hawkbit']);
});

test('agent service: node:20 with the RAUC packages CI installs, privileged for RAUC\'s loop mounts', async (t) => {
  const { services } = await load();
  const agent = services.agent;
  t.is(agent?.image, 'node:20');
  t.true(agent?.privileged);
  const ci = await readFile(root('.ci/run'), 'utf8');
  for (const pkg of ['rauc', 'dbus', 'squashfs-tools', 'openssl']) {
    t.regex(ci, new RegExp(`packages=\\(.*\\b${pkg}\\b`), `.ci/run installs ${pkg}`);
    t.regex(commandText(agent), new RegExp(`apt-get install .*\\b${pkg}\\b`), `the agent image gets ${pkg}`);
  }
  t.truthy(agent?.volumes?.includes('.:/src:ro'), 'the checkout is mounted read-only');
});
