/**
 * docker-compose.yml cannot be run here (no Docker): these tests parse it and keep it consistent with
 * scripts/hawkbit-server.sh (same hawkBit version, same server arguments, the port the agent uses)
 * and with config/docker-demo.conf (valid config, same gateway token as provisioned).
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runCli } from '../../helpers/run-cli.js';

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

interface Service {
  image?: string;
  ports?: string[];
  command?: string[] | string;
  volumes?: string[];
  depends_on?: unknown;
}

async function load(): Promise<{ services: Record<string, Service>; script: string; serverArgs: string[]; demoConf: string }> {
  const compose = parse(await readFile(root('docker-compose.yml'), 'utf8')) as { services?: Record<string, Service> };
  const script = await readFile(root('scripts/hawkbit-server.sh'), 'utf8');
  const serverArgs = (await readFile(root('scripts/hawkbit-server/server.args'), 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const demoConf = await readFile(root('config/docker-demo.conf'), 'utf8');
  return { services: compose.services ?? {}, script, serverArgs, demoConf };
}

function commandText(service: Service | undefined): string {
  const command = service?.command;
  return Array.isArray(command) ? command.join('\n') : (command ?? '');
}

function confValue(conf: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}\\s*=\\s*(\\S+)\\s*$`, 'm').exec(conf)?.[1];
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

test('hawkbit service publishes the container port the agent and provisioning use', async (t) => {
  const { services, demoConf } = await load();
  t.deepEqual(services.hawkbit?.ports, ['8080:8080']);
  t.is(confValue(demoConf, 'hawkbit_server'), 'hawkbit:8080');
  t.is(confValue(demoConf, 'ssl'), 'false');
  t.regex(commandText(services.provision), /http:\/\/hawkbit:8080\/rest\/v1/);
});

test('provisioning enables the gateway token the agent config uses', async (t) => {
  const { services, demoConf } = await load();
  const token = confValue(demoConf, 'gateway_token');
  t.truthy(token);
  const provision = commandText(services.provision);
  t.regex(provision, /authentication\.gatewaytoken\.enabled true/);
  t.true(provision.includes(`authentication.gatewaytoken.key '"${token}"'`), provision);
});

test('agent service: node:20, mounts the demo config it runs with, starts after provisioning', async (t) => {
  const { services } = await load();
  const agent = services.agent;
  t.is(agent?.image, 'node:20');
  const mount = agent?.volumes?.find((volume) => volume.startsWith('./config/docker-demo.conf:'));
  t.truthy(mount, 'config/docker-demo.conf is mounted');
  const target = mount?.split(':')[1] ?? '';
  t.true(commandText(agent).includes(`-c ${target}`), 'the agent runs with the mounted config');
  t.deepEqual(agent?.depends_on, { provision: { condition: 'service_completed_successfully' } });
});

test('the demo config passes --check-config', async (t) => {
  const result = await runCli(['--check-config', '-c', root('config/docker-demo.conf')]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /configuration is valid/);
});
