/**
 * Cancelling an action with raw DDI calls: the cancelAction link replaces deploymentBase, the device
 * accepts (closed/success → canceled) or refuses (rejected), and a forced cancel needs no device.
 */
import test from 'ava';
import { HawkbitMgmt } from '../hawkbit-mgmt.js';
import { actionIdOf, feedback, linksOf } from '../ddi-http.js';
import { checkFixture } from '../fixtures.js';
import { createDevice, createRelease, e2eServer, prepareTenant, waitForLink } from '../support.js';
import type { Device, Release } from '../support.js';

const server = e2eServer();
const mgmt = new HawkbitMgmt({ url: server.url });
let release: Release;

test.before(async () => {
  await prepareTenant(mgmt);
  release = await createRelease(mgmt, { size: 4096 });
});

/** A device whose forced action has been fetched (as an agent would before a cancel arrives). */
async function deviceWithRetrievedAction(name: string): Promise<{ device: Device; actionId: number }> {
  const device = await createDevice(server, mgmt, name);
  const actionId = await mgmt.assign(release.distributionSetId, device.controllerId, { type: 'forced' });
  const href = await waitForLink(device, 'deploymentBase');
  if ((await device.ddi.get(href)).status !== 200) throw new Error('deploymentBase not readable');
  return { device, actionId };
}

interface CancelJson {
  id: string;
  cancelAction: { stopId: string };
}

test('cancel accepted by the device: cancelAction link with stopId, closed/success → canceled', async (t) => {
  const { device, actionId } = await deviceWithRetrievedAction('cancel-accept');
  await mgmt.cancelAction(device.controllerId, actionId);
  t.like(await mgmt.getAction(device.controllerId, actionId), { active: true, detail: 'canceling' });

  const cancelHref = await waitForLink(device, 'cancelAction');
  const base = await device.ddi.get();
  t.false('deploymentBase' in linksOf(base.data), 'a base carries at most one of deploymentBase and cancelAction');
  await checkFixture(t, server.version, 'base-with-cancel', base.data, { url: server.url, controllerId: device.controllerId });

  const cancel = await device.ddi.get<CancelJson>(cancelHref);
  t.is(cancel.status, 200);
  await checkFixture(t, server.version, 'cancel-action', cancel.data, { url: server.url, controllerId: device.controllerId });
  t.is(cancel.data.cancelAction.stopId, String(actionId));
  const cancelId = actionIdOf(cancelHref);
  t.is(cancel.data.id, String(cancelId));

  const ack = await device.ddi.post(`${cancelHref.replace(/\?.*$/, '')}/feedback`, feedback(cancelId, 'closed', 'success', ['e2e: canceled before installing']));
  t.is(ack.status, 200);
  const action = await mgmt.waitForAction(device.controllerId, actionId, (a) => !a.active);
  t.is(action.detail, 'canceled');
  const messages = (await mgmt.getActionStatus(device.controllerId, actionId)).flatMap((entry) => entry.messages);
  t.true(messages.includes('e2e: canceled before installing'), JSON.stringify(messages));
  t.deepEqual(Object.keys(linksOf((await device.ddi.get()).data)).filter((name) => name !== 'configData'), []);
});

test('cancel refused by the device: rejected keeps the action open', async (t) => {
  const { device, actionId } = await deviceWithRetrievedAction('cancel-reject');
  await mgmt.cancelAction(device.controllerId, actionId);
  const cancelHref = await waitForLink(device, 'cancelAction');
  const cancelId = actionIdOf(cancelHref);
  const refused = await device.ddi.post(`${cancelHref.replace(/\?.*$/, '')}/feedback`, feedback(cancelId, 'rejected', 'none', ['e2e: already installing']));
  t.is(refused.status, 200);
  const action = await mgmt.getAction(device.controllerId, actionId);
  t.true(action.active, JSON.stringify(action));
  const messages = (await mgmt.getActionStatus(device.controllerId, actionId)).flatMap((entry) => entry.messages);
  t.true(messages.includes('e2e: already installing'), JSON.stringify(messages));
});

test('a forced cancel ends the action without the device; its late feedback then gets 410', async (t) => {
  const { device, actionId } = await deviceWithRetrievedAction('cancel-force');
  const deploymentHref = await waitForLink(device, 'deploymentBase');
  await mgmt.cancelAction(device.controllerId, actionId);
  await mgmt.cancelAction(device.controllerId, actionId, { force: true });
  const action = await mgmt.waitForAction(device.controllerId, actionId, (a) => !a.active);
  t.is(action.detail, 'canceled');
  const links = linksOf((await device.ddi.get()).data);
  t.false('cancelAction' in links);
  t.false('deploymentBase' in links);
  const late = await device.ddi.post(`${deploymentHref.replace(/\?.*$/, '')}/feedback`, feedback(actionId, 'closed', 'success'));
  t.is(late.status, 410);
});
