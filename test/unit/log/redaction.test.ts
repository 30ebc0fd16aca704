import test from 'ava';
import { createLogger, Redactor } from '../../../src/log/index.js';
import { Capture } from '../../helpers/capture.js';

const TOKEN = 'Ahz4ieZ0-target-token';
const GATEWAY = 'gw-9f8e7d6c5b';

for (const format of ['text', 'json', 'journal'] as const) {
  test(`${format}: configured secrets never reach the log, in messages, fields or errors`, (t) => {
    const stream = new Capture();
    const log = createLogger({ level: 'debug', format, secrets: [TOKEN, GATEWAY], stream });
    log.message(`connecting with ${TOKEN}`);
    log.debug('request', { headers: { Authorization: `TargetToken ${TOKEN}` }, note: `gateway ${GATEWAY}` });
    log.error('failed', { error: new Error(`server rejected ${GATEWAY}`, { cause: new Error(TOKEN) }) });
    log.child({ component: 'x', auth_token: TOKEN }).info('child');
    t.false(stream.text.includes(TOKEN), stream.text);
    t.false(stream.text.includes(GATEWAY), stream.text);
    t.true(stream.text.includes('<redacted>'));
    t.is(stream.lines.length, 4);
  });
}

test('authorization credentials are cut even when not configured as secrets', (t) => {
  const redactor = new Redactor();
  t.is(redactor.text('Authorization: TargetToken abc123'), 'Authorization: TargetToken <redacted>');
  t.is(redactor.text('GatewayToken xyz, then'), 'GatewayToken <redacted>, then');
  t.is(redactor.text('Bearer eyJhbGciOi.x.y'), 'Bearer <redacted>');
  t.is(redactor.text('Basic YWRtaW46YWRtaW4='), 'Basic <redacted>');
  t.is(redactor.text('via http://user:hunter2@proxy:3128/'), 'via http://user:<redacted>@proxy:3128/');
});

test('PEM private keys are cut', (t) => {
  const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
  const text = new Redactor().text(`key file: ${pem} end`);
  t.false(text.includes('MIIEvQ'));
  t.is(text, 'key file: <redacted> private key end');
  t.false(new Redactor().text('-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----').includes('abc'));
});

test('fields named like secrets are cut whatever they hold', (t) => {
  const redactor = new Redactor();
  t.deepEqual(redactor.value({ authToken: 'x1', gateway_token: 'x2', password: 'x3', Authorization: 'x4', sslKeyPassphrase: 'x5', other: 'keep' }), {
    authToken: '<redacted>',
    gateway_token: '<redacted>',
    password: '<redacted>',
    Authorization: '<redacted>',
    sslKeyPassphrase: '<redacted>',
    other: 'keep',
  });
});

test('longer secrets are replaced whole before shorter ones they contain', (t) => {
  const redactor = new Redactor(['abcd', 'abcdefgh']);
  t.is(redactor.text('x abcdefgh y abcd'), 'x <redacted> y <redacted>');
});

test('stringify: every string of a JSON value redacted, keys and structure kept, named fields left whole', (t) => {
  const redactor = new Redactor([TOKEN]);
  const value = { phase: { chunk: `rootfs-${TOKEN}`, details: [`echo ${TOKEN}`, 3], path: `/cache/${TOKEN}.raucb`, files: [`/cache/${TOKEN}.raucb`] }, at: null };
  t.deepEqual(JSON.parse(redactor.stringify(value)), {
    phase: { chunk: 'rootfs-<redacted>', details: ['echo <redacted>', 3], path: '/cache/<redacted>.raucb', files: ['/cache/<redacted>.raucb'] },
    at: null,
  });
  const kept = JSON.parse(redactor.stringify(value, 2, new Set(['path', 'files']))) as typeof value;
  t.is(kept.phase.chunk, 'rootfs-<redacted>');
  t.is(kept.phase.path, `/cache/${TOKEN}.raucb`);
  t.deepEqual(kept.phase.files, [`/cache/${TOKEN}.raucb`]);
  t.is(redactor.stringify({ a: 1 }, 2), '{\n  "a": 1\n}');
});
