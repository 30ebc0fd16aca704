/**
 * DDI authentication against the real server: target token, gateway token, and what a device without
 * (or with a wrong) credential gets.
 */
import test from 'ava';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { RawDdi, linksOf } from '../ddi-http.js';
import { checkFixture } from '../fixtures.js';
import { GATEWAY_TOKEN, createDevice, createRelease, e2eServer, prepareTenant, waitForLink } from '../support.js';

const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });

test.before(async () => {
  await prepareTenant(mgmt);
});

test('a target polls with its own TargetToken and gets the polling time and a configData link', async (t) => {
  const device = await createDevice(server, mgmt, 'auth-target');
  const poll = await device.ddi.get();
  t.is(poll.status, 200);
  await checkFixture(t, server.version, 'base-new-target', poll.data, { url: server.url, controllerId: device.controllerId });
  t.like(poll.data, { config: { polling: { sleep: '00:00:01' } } });
  t.deepEqual(Object.keys(linksOf(poll.data)), ['configData']);
});

test('a gateway token works for any controller id of the tenant, and creates unknown targets', async (t) => {
  const known = await createDevice(server, mgmt, 'auth-gateway');
  const viaGateway = new RawDdi({ url: server.url, controllerId: known.controllerId, auth: { kind: 'GatewayToken', token: GATEWAY_TOKEN } });
  const poll = await viaGateway.get();
  t.is(poll.status, 200);
  t.like(poll.data, { config: { polling: { sleep: '00:00:01' } } });

  const unknown = new RawDdi({ url: server.url, controllerId: `auth-gateway-new-${Date.now()}`, auth: { kind: 'GatewayToken', token: GATEWAY_TOKEN } });
  t.is((await unknown.get()).status, 200);
});

test('no credential, a wrong target token or a wrong gateway token: 401 on poll', async (t) => {
  const device = await createDevice(server, mgmt, 'auth-denied');
  const as = (auth: ConstructorParameters<typeof RawDdi>[0]['auth']): RawDdi => new RawDdi({ url: server.url, controllerId: device.controllerId, auth });
  t.is((await as(undefined).get()).status, 401);
  t.is((await as({ kind: 'TargetToken', token: 'not-the-token' }).get()).status, 401);
  t.is((await as({ kind: 'GatewayToken', token: 'not-the-gateway-token' }).get()).status, 401);
  // Another target's token does not open this target.
  const other = await createDevice(server, mgmt, 'auth-other');
  t.is((await as({ kind: 'TargetToken', token: other.token }).get()).status, 401);
});

test('artifact downloads need the credential too', async (t) => {
  const device = await createDevice(server, mgmt, 'auth-download');
  const release = await createRelease(mgmt, { size: 1024 });
  await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'forced' });
  const deployment = await device.ddi.get<{ deployment: { chunks: { artifacts: { _links: Record<string, { href: string }> }[] }[] } }>(
    await waitForLink(device, 'deploymentBase'),
  );
  const href = deployment.data.deployment.chunks[0]?.artifacts[0]?._links['download-http']?.href;
  if (href === undefined) return t.fail('no download-http link');
  const anonymous = new RawDdi({ url: server.url, controllerId: device.controllerId, auth: undefined });
  t.is((await anonymous.download(href)).status, 401);
  t.is((await device.ddi.download(href)).status, 200);
});
