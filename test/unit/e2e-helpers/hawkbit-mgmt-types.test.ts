/**
 * The e2e helpers' normalisation of management-API shapes, including the shapes of server versions
 * the e2e run cannot start here (later 0.x `detailStatus`, 0.10+ `active`).
 */
import test from 'ava';
import { firstCreatedId, normaliseAction, normaliseActionStatus, normaliseArtifact } from '../../e2e/hawkbit-mgmt-types.js';
import { compareVersions } from '../../e2e/support.js';
import { scrub, shapeOf } from '../../e2e/fixtures.js';

test('action up to 0.3.0M7: pending|finished, detail from the newest status entry', (t) => {
  t.like(normaliseAction({ id: 4, type: 'update', status: 'pending', forceType: 'forced' }, 'retrieved'), {
    id: 4,
    active: true,
    detail: 'retrieved',
    forceType: 'forced',
  });
  t.like(normaliseAction({ id: 4, type: 'update', status: 'finished' }, 'canceled'), { active: false, detail: 'canceled' });
});

test('action of later 0.x releases up to 0.9: pending|finished plus detailStatus', (t) => {
  t.like(normaliseAction({ id: 7, status: 'finished', detailStatus: 'error', lastStatusCode: 21 }, undefined), {
    active: false,
    detail: 'error',
    lastStatusCode: 21,
  });
});

test('action from 0.10: active plus status as the detail', (t) => {
  t.like(normaliseAction({ id: 9, active: true, status: 'wait_for_confirmation' }, undefined), { active: true, detail: 'wait_for_confirmation' });
  t.like(normaliseAction({ id: 9, active: false, status: 'finished' }, undefined), { active: false, detail: 'finished' });
});

test('an action without id or with an unknown state is refused, naming the JSON', (t) => {
  t.throws(() => normaliseAction({ status: 'pending' }, undefined), { message: /numeric "id"/ });
  t.throws(() => normaliseAction({ id: 1, status: 'running' }, undefined), { message: /neither "active" nor status pending\|finished/ });
});

test('status entries: lower-case type, null messages dropped', (t) => {
  t.deepEqual(normaliseActionStatus({ id: 2, type: 'RUNNING', messages: [null, 'x'], reportedAt: 5 }), {
    id: 2,
    type: 'running',
    messages: ['x'],
    code: undefined,
    reportedAt: 5,
  });
});

test('uploaded artifact: hashes, size, provided file name; sha256 optional', (t) => {
  t.deepEqual(normaliseArtifact({ id: 1, size: 3, providedFilename: 'a.raucb', hashes: { md5: 'm', sha1: 's' } }), {
    id: 1,
    filename: 'a.raucb',
    size: 3,
    hashes: { md5: 'm', sha1: 's', sha256: undefined },
  });
  t.throws(() => normaliseArtifact({ id: 1, size: 3 }), { message: /without hashes/ });
});

test('create answers are lists: the first id, or an error naming what was not created', (t) => {
  t.is(firstCreatedId([{ id: 12 }], 'target'), 12);
  t.throws(() => firstCreatedId([], 'distribution set'), { message: /created no distribution set/ });
});

test('hawkBit versions order milestones before their release', (t) => {
  const ordered = ['0.2.4', '0.3.0M1', '0.3.0M7', '0.3.0M9', '0.3.0', '0.10.0', '1.0.0', '1.1.0'];
  for (let i = 1; i < ordered.length; i++) {
    t.is(compareVersions(ordered[i - 1]!, ordered[i]!), -1, `${ordered[i - 1]} < ${ordered[i]}`);
    t.is(compareVersions(ordered[i]!, ordered[i - 1]!), 1);
  }
  t.is(compareVersions('0.3.0M7', '0.3.0M7'), 0);
  t.throws(() => compareVersions('latest', '1.0.0'), { message: /not a hawkBit version: latest/ });
});

test('fixtures are scrubbed of origin, controller id and the c parameter', (t) => {
  const json = { _links: { deploymentBase: { href: 'http://127.0.0.1:4321/DEFAULT/controller/v1/dev-ab12/deploymentBase/3?c=-1234' } } };
  t.deepEqual(scrub(json, { url: 'http://127.0.0.1:4321', controllerId: 'dev-ab12' }), {
    _links: { deploymentBase: { href: 'http://hawkbit.test/DEFAULT/controller/v1/device-1/deploymentBase/3?c=0' } },
  });
});

test('shapes compare keys and types, not values', (t) => {
  t.deepEqual(shapeOf({ b: [{ x: 1 }, { y: 2 }], a: 'v', n: null }), { a: 'string', b: [{ x: 'number' }], n: 'null' });
  t.notDeepEqual(shapeOf({ id: '1' }), shapeOf({ id: 1 }));
  t.deepEqual(shapeOf({ id: '1', z: [] }), shapeOf({ z: [], id: '2' }));
});
