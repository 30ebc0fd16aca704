/**
 * goosebit with strict device authentication (GOOSEBIT_DEVICE_AUTH__MODE=strict): every DDI request,
 * downloads included, needs `Authorization: TargetToken <the device's token>`. With the right token
 * an update goes through without a single refusal; with a wrong one every request is answered 401,
 * the agent says which setting to check (never the token), the service keeps running and retrying
 * at its pace instead of exiting into a crash loop, and run-once exits 1.
 */
import { randomBytes } from 'node:crypto';
import test from 'ava';
import { GoosebitTestDevice } from './goosebit-device.js';
import { GoosebitMgmt } from './goosebit-mgmt.js';
import { goosebitServer } from './goosebit-server.js';
import { downloads, installedCount } from './support.js';

const server = goosebitServer('strict');
let mgmt: GoosebitMgmt;

test.before(async () => {
  mgmt = await GoosebitMgmt.login(server.url);
});

test('strict device auth: the target token gets an update through, no request refused', async (t) => {
  const device = await GoosebitTestDevice.create(server, mgmt, { name: 'gb-strict' });
  t.teardown(() => device.stop());
  const software = await device.release({ version: '4.0.0' });
  device.startAgent();
  await device.assign(software);

  const { view } = await device.settled('Finished', /Installed \S+ 4\.0\.0 to rootfs\.1/);
  t.is(view.sw_version, '4.0.0');
  t.like(await device.slot('rootfs.1'), { bundleVersion: '4.0.0' });
  t.is(installedCount(await device.slot('rootfs.1')), 1);
  const requests = await device.requests();
  t.is(downloads(requests), 1);
  t.deepEqual(await device.refused(), [], 'goosebit accepted every request, the download included');
  t.false(device.output.includes(device.token), 'the token never reaches the output');
});

test('wrong token: 401 named clearly, the service keeps running without a crash loop, run-once exits 1', async (t) => {
  const wrong = randomBytes(16).toString('hex');
  const device = await GoosebitTestDevice.create(server, mgmt, { name: 'gb-badtoken', agentToken: wrong });
  t.teardown(() => device.stop());

  device.startAgent();
  const refusedPolls = async () => (await device.requests()).filter((entry) => entry.status === 401).length;
  await device.waitFor('three refused polls of the service', async () => ((await refusedPolls()) >= 3 ? true : undefined));
  // Still running (waitFor fails early when the agent exits), and each refusal is one request: a
  // 401 is never retried at once.
  const failures = (device.output.match(/poll failed/g) ?? []).length;
  const refused = await refusedPolls();
  t.regex(device.output, /the server refused the credential \(401\); check auth_token/, device.output);
  t.true(refused - failures <= 1 && failures <= refused, `${refused} requests refused, ${failures} failed polls logged`);
  t.is(await device.stopAgent(), 0);

  device.startAgent(['-r']);
  const code = await device.agentExited();
  const runOnce = device.output.slice(device.output.lastIndexOf('--- agent start'));
  t.regex(runOnce, /the server refused the credential \(401\); check auth_token/, runOnce);
  t.is(code, 1, `run-once must fail when the server refuses the token:\n${runOnce}`);

  const statuses = new Set((await device.requests()).map((entry) => entry.status));
  t.deepEqual([...statuses], [401], 'goosebit answered every request of this device 401');
  t.false(device.output.includes(wrong) || device.output.includes(device.token), 'no token in the output');
});
