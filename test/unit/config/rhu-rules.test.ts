import test, { type ExecutionContext } from 'ava';
import { isConfigError, parseConfig } from '../../../src/config/index.js';
import { configText } from '../../helpers/config-text.js';

const FILE = '/etc/hawkbit-rauc.conf';

function load(options: Parameters<typeof configText>[0]) {
  return parseConfig(configText(options), FILE);
}

function expectError(t: ExecutionContext, options: Parameters<typeof configText>[0], key: string, message: string) {
  const error = t.throws(() => load(options));
  t.true(isConfigError(error));
  if (!isConfigError(error)) return;
  t.is(error.code, 'CONFIG_INVALID');
  // A file with several problems lists them all; the one this rule is about must be among them.
  const problem = error.problems.find((candidate) => candidate.key === key);
  t.truthy(problem, error.message);
  t.true(problem!.reason.includes(message) && error.message.includes(message), error.message);
  t.true(error.message.startsWith(`${FILE}: `), error.message);
}

test('defaults are rauc-hawkbit-updater defaults, durations in ms', (t) => {
  const { config, warnings } = load({});
  t.deepEqual(warnings, []);
  t.like(config, {
    hawkbitServer: 'hawkbit.example.com:8080',
    ssl: true,
    sslVerify: true,
    tenantId: 'DEFAULT',
    targetName: 'device-1',
    connectTimeoutMs: 20_000,
    timeoutMs: 60_000,
    retryWaitMs: 300_000,
    lowSpeedRate: 100,
    lowSpeedTimeMs: 60_000,
    downloadSpeedLimit: 0,
    resumeDownloads: false,
    streamBundle: false,
    postUpdateReboot: false,
    sendDownloadAuthentication: true,
    logLevel: 'message',
    logFormat: 'text',
    stateDir: '/var/lib/hawkbit-rauc',
    downloadRetries: 5,
    allowUnverifiedDownloads: false,
    caFile: undefined,
    proxy: undefined,
    bundleDownloadLocation: '/tmp/bundle.raucb',
  });
  t.deepEqual(config.auth, { kind: 'target-token', token: 'secret-target-token-123' });
  t.deepEqual(config.device, { product: 'Test', serial: '42' });
});

test('the config is immutable', (t) => {
  const { config } = load({});
  t.true(Object.isFrozen(config));
  t.true(Object.isFrozen(config.device));
  t.true(Object.isFrozen(config.auth));
  t.throws(() => {
    (config as { ssl: boolean }).ssl = false;
  });
});

test('hawkbit_server is required', (t) => {
  expectError(t, { client: { hawkbit_server: null } }, 'client.hawkbit_server', "required key 'hawkbit_server' is missing");
});

test('hawkbit_server must not carry a scheme', (t) => {
  expectError(t, { client: { hawkbit_server: 'https://h:443' } }, 'client.hawkbit_server', 'without a scheme');
});

test('hawkbit_server accepts host, host:port, IPv6 and a path prefix', (t) => {
  for (const server of ['h', 'h.example.com:8443', '[::1]:8080', '10.0.0.1', 'proxy.example.com/hawkbit']) {
    t.is(load({ client: { hawkbit_server: server } }).config.hawkbitServer, server);
  }
  expectError(t, { client: { hawkbit_server: 'a b' } }, 'client.hawkbit_server', 'is not a host[:port]');
});

test('target_name is required', (t) => {
  expectError(t, { client: { target_name: null } }, 'client.target_name', "required key 'target_name' is missing");
});

test('no credential at all: Neither token nor ssl authentication set', (t) => {
  expectError(t, { client: { auth_token: null } }, 'client.auth_token', 'Neither token nor ssl authentication set');
});

test('both tokens: Both auth_token and gateway_token set', (t) => {
  expectError(t, { client: { gateway_token: 'gw-token-1' } }, 'client.gateway_token', "Both 'auth_token' and 'gateway_token' set");
});

test('gateway token alone is accepted', (t) => {
  const { config } = load({ client: { auth_token: null, gateway_token: 'gw-token-1' } });
  t.deepEqual(config.auth, { kind: 'gateway-token', token: 'gw-token-1' });
});

test('only one of ssl_key and ssl_cert', (t) => {
  expectError(t, { client: { auth_token: null, ssl_key: '/k' } }, 'client.ssl_cert', "Only one of 'ssl_key' and 'ssl_cert' is set");
  expectError(t, { client: { auth_token: null, ssl_cert: '/c' } }, 'client.ssl_key', "Only one of 'ssl_key' and 'ssl_cert' is set");
});

test('ssl_engine without key and cert', (t) => {
  expectError(t, { client: { ssl_engine: 'pkcs11' } }, 'client.ssl_engine', "SSL engine set without 'ssl_key' or 'ssl_cert'");
});

test('token and client certificate together', (t) => {
  expectError(
    t,
    { client: { ssl_key: 'pkcs11:object=k', ssl_cert: '/c', ssl_engine: 'pkcs11' } },
    'client.auth_token',
    'Both token and ssl authentication set',
  );
});

test('ssl keys are ignored, with a warning, when ssl is off (as rauc-hawkbit-updater does)', (t) => {
  const { config, warnings } = load({ client: { ssl: 'false', ssl_key: '/k' } });
  t.is(config.sslKey, undefined);
  t.deepEqual(warnings.map((w) => w.key), ['client.ssl_key']);
});

test('timeout must not be below connect_timeout when both are set', (t) => {
  expectError(t, { client: { timeout: '10', connect_timeout: '20' } }, 'client.timeout', "'timeout' (10) must be greater than 'connect_timeout' (20)");
  t.is(load({ client: { timeout: '0', connect_timeout: '20' } }).config.timeoutMs, 0);
  t.is(load({ client: { timeout: '20', connect_timeout: '20' } }).config.timeoutMs, 20_000);
});

test('bundle_download_location is required unless stream_bundle', (t) => {
  expectError(
    t,
    { client: { bundle_download_location: null } },
    'client.bundle_download_location',
    "'bundle_download_location' is required if 'stream_bundle' is disabled",
  );
  t.is(load({ client: { bundle_download_location: null, stream_bundle: 'yes' } }).config.bundleDownloadLocation, undefined);
});

test('[device] must exist and hold at least one key', (t) => {
  expectError(t, { device: null }, 'device', "Group 'device' is missing");
  expectError(t, { device: {} }, 'device', "Group 'device' has no keys set");
});

test('integers: whole numbers only, named key in the error', (t) => {
  expectError(t, { client: { retry_wait: '5m' } }, 'client.retry_wait', "Value '5m' cannot be interpreted as a number.");
  expectError(t, { client: { connect_timeout: '-1' } }, 'client.connect_timeout', 'below the minimum of 0');
  expectError(t, { client: { retry_wait: '0' } }, 'client.retry_wait', 'below the minimum of 1');
  expectError(t, { client: { low_speed_rate: '' } }, 'client.low_speed_rate', "Value '' cannot be interpreted as a number.");
  expectError(t, { client: { download_speed_limit: '99999999999999999999' } }, 'client.download_speed_limit', 'out of range');
  t.is(load({ client: { download_speed_limit: '1048576' } }).config.downloadSpeedLimit, 1_048_576);
});

test('log_level: every level, fatal as error, unknown warns and falls back to message', (t) => {
  for (const level of ['error', 'critical', 'warning', 'message', 'info', 'debug'] as const) {
    t.is(load({ client: { log_level: level } }).config.logLevel, level);
  }
  t.is(load({ client: { log_level: 'fatal' } }).config.logLevel, 'error');
  const { config, warnings } = load({ client: { log_level: 'loud' } });
  t.is(config.logLevel, 'message');
  t.is(warnings[0]?.key, 'client.log_level');
  t.regex(warnings[0]?.message ?? '', /Invalid log level 'loud'/);
});

test('empty values are errors that name the key', (t) => {
  expectError(t, { client: { auth_token: '' } }, 'client.auth_token', "'auth_token' is empty");
  expectError(t, { client: { tenant_id: '' } }, 'client.tenant_id', "'tenant_id' is empty");
});
