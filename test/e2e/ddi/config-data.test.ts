/**
 * Target attributes through `PUT configData`: visible in the management API, merge/replace modes,
 * and the configData link that the server offers until the device has sent them (and again when an
 * operator asks).
 */
import test from 'ava';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { linksOf } from '../ddi-http.js';
import { createDevice, e2eServer, prepareTenant, waitForLink } from '../support.js';
import type { Device } from '../support.js';

const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });

test.before(async () => {
  await prepareTenant(mgmt);
});

/**
 * The configData body. `status` is not in today's API, but servers up to 0.3.0M1 reject the body
 * without it (400 NotNull status); newer ones ignore it.
 */
function configData(data: Record<string, string>, mode?: 'merge' | 'replace' | 'remove'): Record<string, unknown> {
  return { data, ...(mode === undefined ? {} : { mode }), status: { execution: 'closed', result: { finished: 'success' } } };
}

async function putConfigData(device: Device, body: Record<string, unknown>): Promise<number> {
  const href = await waitForLink(device, 'configData');
  return (await device.ddi.put(href, body)).status;
}

test('attributes sent with configData are visible on the target, and the link goes away', async (t) => {
  const device = await createDevice(server, mgmt, 'attributes');
  t.true('configData' in (await device.ddi.links()));
  const status = await putConfigData(device, configData({ product: 'Example Board', hw_revision: 'B2', rauc_compatible: 'example-board' }));
  t.is(status, 200);
  t.deepEqual(await mgmt.getAttributes(device.controllerId), { product: 'Example Board', hw_revision: 'B2', rauc_compatible: 'example-board' });
  t.false('configData' in linksOf((await device.ddi.get()).data));
});

test('an operator request brings the configData link back; merge adds, replace replaces', async (t) => {
  const device = await createDevice(server, mgmt, 'attributes-request');
  t.is(await putConfigData(device, configData({ product: 'Example Board', slot: 'A' })), 200);
  await mgmt.requestAttributes(device.controllerId);
  t.true('configData' in (await device.ddi.links()));

  t.is(await putConfigData(device, configData({ slot: 'B', booted: 'rootfs.1' }, 'merge')), 200);
  t.deepEqual(await mgmt.getAttributes(device.controllerId), { product: 'Example Board', slot: 'B', booted: 'rootfs.1' });

  t.is((await device.ddi.put('configData', configData({ only: 'this' }, 'replace'))).status, 200);
  t.deepEqual(await mgmt.getAttributes(device.controllerId), { only: 'this' });
});

test('an empty data object is refused with 400', async (t) => {
  const device = await createDevice(server, mgmt, 'attributes-empty');
  t.is(await putConfigData(device, configData({})), 400);
});
