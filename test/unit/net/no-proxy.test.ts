import test from 'ava';
import { bypassesProxy, parseNoProxy, parseProxyUrl, proxyFor, resolveProxySettings } from '../../../src/net/index.js';

const matches = (noProxy: string, host: string, port = 443) => bypassesProxy(parseNoProxy(noProxy), host, port);

test('NO_PROXY: host names, domains, ports, wildcard, IPs', (t) => {
  t.true(matches('hawkbit.local', 'hawkbit.local'));
  t.true(matches('hawkbit.local', 'HAWKBIT.local'));
  t.false(matches('hawkbit.local', 'other.local'));
  t.true(matches('example.com', 'api.example.com'), 'a bare domain covers subdomains');
  t.true(matches('.example.com', 'api.example.com'));
  t.true(matches('.example.com', 'example.com'));
  t.false(matches('example.com', 'badexample.com'));
  t.true(matches('*.example.com', 'a.b.example.com'));
  t.true(matches('*', 'anything'));
  t.true(matches('a.com, b.com  c.com', 'c.com'));
  t.true(matches('hawkbit:8443', 'hawkbit', 8443));
  t.false(matches('hawkbit:8443', 'hawkbit', 443));
  t.true(matches('10.0.0.5', '10.0.0.5'));
  t.true(matches('[::1]:8080', '::1', 8080));
  t.true(matches('::1', '[::1]'));
  t.false(matches('', 'host'));
  t.true(matches('example.com.', 'example.com'));
});

test('the proxy key wins over the environment; env picks per scheme', (t) => {
  const env = { HTTPS_PROXY: 'http://secure-proxy:3128', http_proxy: 'plain-proxy:8080', NO_PROXY: 'local.lan' };
  const fromEnv = resolveProxySettings(undefined, env);
  t.is(proxyFor(fromEnv, 'https:', 'hawkbit.example.com', 443)?.url.hostname, 'secure-proxy');
  t.is(proxyFor(fromEnv, 'http:', 'hawkbit.example.com', 80)?.url.port, '8080');
  t.is(proxyFor(fromEnv, 'https:', 'box.local.lan', 443), undefined);
  const configured = resolveProxySettings('http://cfg-proxy:3129', env);
  t.is(proxyFor(configured, 'https:', 'hawkbit.example.com', 443)?.url.hostname, 'cfg-proxy');
  t.is(proxyFor(configured, 'http:', 'hawkbit.example.com', 80)?.url.hostname, 'cfg-proxy');
  t.is(proxyFor(configured, 'https:', 'box.local.lan', 443), undefined, 'NO_PROXY still applies');
  t.is(proxyFor(resolveProxySettings(undefined, {}), 'https:', 'x', 443), undefined);
  const all = resolveProxySettings(undefined, { ALL_PROXY: 'http://all:3128', https_proxy: 'https://tls-proxy:8443' });
  t.is(proxyFor(all, 'http:', 'h', 80)?.display, 'http://all:3128', 'ALL_PROXY covers a scheme without its own variable');
  t.is(proxyFor(all, 'https:', 'h', 443)?.display, 'https://tls-proxy:8443');
});

test('proxy URL: credentials only in the header value, never in display or errors', (t) => {
  const proxy = parseProxyUrl('http://user:p%40ss@proxy:3128', 'proxy');
  t.is(proxy.url.username, 'user');
  t.is(decodeURIComponent(proxy.url.password), 'p@ss');
  t.is(proxy.display, 'http://proxy:3128 (with credentials)');
  t.is(parseProxyUrl('proxy.lan', 'proxy').url.port, '1080', 'no port: 1080, as libcurl');
  t.is(parseProxyUrl('http://proxy.lan:80', 'proxy').display, 'http://proxy.lan:80', 'an explicit :80 stays');
  t.is(parseProxyUrl('https://user:secret@proxy', 'HTTPS_PROXY').display, 'https://proxy:443 (with credentials)');
  const socks = t.throws(() => parseProxyUrl('socks5://user:secret@proxy:1080', 'ALL_PROXY'));
  t.regex(socks!.message, /only http:\/\/ and https:\/\/ proxies/);
  t.false(socks!.message.includes('secret'));
  const bad = t.throws(() => parseProxyUrl('http://user:secret@[bad', 'proxy'));
  t.false(bad!.message.includes('secret'));
});
