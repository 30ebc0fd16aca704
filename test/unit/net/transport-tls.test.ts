// Handshakes against real https servers (unknown CA, ca_file, host name, ssl_verify, mTLS) are in
// test/integration/tls/ddi-tls.test.ts; this file covers the transport's settings themselves.
import test from 'ava';
import { createTransport, isTransportConfigError } from '../../../src/net/index.js';
import { makePki, type Pki } from '../../helpers/tls-fixture.js';

let pki: Pki;

test.before(() => {
  pki = makePki();
});

test.after.always(() => {
  pki?.cleanup();
});

// Engine keys for real (SoftHSM2): test/integration/tls/pkcs11-engine.test.ts.
test('an ssl_engine that is not installed and unreadable files: errors naming their key', (t) => {
  const engine = t.throws(() => createTransport({ sslEngine: 'hr-missing-engine', sslKey: 'pkcs11:object=k', sslCert: pki.clientCertFile }));
  t.true(isTransportConfigError(engine) && engine.key === 'ssl_engine');
  t.regex(engine!.message, /OpenSSL engine 'hr-missing-engine' not found/);
  const ca = t.throws(() => createTransport({ caFile: `${pki.dir}/missing.pem` }));
  t.true(isTransportConfigError(ca) && ca.key === 'ca_file');
  t.regex(ca!.message, /cannot read 'ca_file'/);
});

test('describe() names the settings and no secret', (t) => {
  const transport = createTransport({ caFile: pki.caFile, sslKey: pki.clientKeyFile, sslCert: pki.clientCertFile, env: { HTTPS_PROXY: 'http://u:hunter22@proxy:3128', NO_PROXY: 'lan' } });
  t.teardown(() => transport.destroy());
  const text = transport.describe();
  t.regex(text, /default CAs \+ .*ca\.pem/);
  t.regex(text, /client certificate/);
  t.regex(text, /https proxy http:\/\/proxy:3128 \(with credentials\)/);
  t.false(text.includes('hunter22'));
  t.true(transport.clientCertificate);
});
