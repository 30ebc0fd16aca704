import test from 'ava';
import { configSecrets, parseConfig } from '../../../src/config/index.js';
import { configText } from '../../helpers/config-text.js';

const parse = (client: Record<string, string | null>) => parseConfig(configText({ client }), '/etc/hawkbit-rauc.conf').config;

test('the target token, or the gateway token, is a secret', (t) => {
  t.deepEqual(configSecrets(parse({ auth_token: 'target-secret-1' })), ['target-secret-1']);
  t.deepEqual(configSecrets(parse({ auth_token: null, gateway_token: 'gateway-secret-2' })), ['gateway-secret-2']);
});

test('the proxy password: of `proxy`, else of the proxy variables the transport uses, raw and decoded', (t) => {
  const configured = parse({ auth_token: 'target-secret-1', proxy: 'http://user:p%40ss-word@proxy:3128' });
  t.deepEqual(configSecrets(configured, { https_proxy: 'http://u:env-pass@other:8080' }), ['target-secret-1', 'p%40ss-word', 'p@ss-word']);
  const fromEnv = parse({ auth_token: 'target-secret-1' });
  t.deepEqual(configSecrets(fromEnv, { HTTPS_PROXY: 'http://u:env-pass@p:8080', http_proxy: 'u:plain-pass@p:3128', HTTP_PROXY: 'not a url' }), [
    'target-secret-1',
    'env-pass',
    'plain-pass',
  ]);
  t.deepEqual(configSecrets(fromEnv), ['target-secret-1']);
});
