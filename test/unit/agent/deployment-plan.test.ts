import test from 'ava';
import { artifactUrls, planDeployment, skippedDetails } from '../../../src/agent/deployment-plan.js';
import type { Artifact, Deployment } from '../../../src/ddi/model.js';

const bundle: Artifact = { filename: 'os-2.0.raucb', size: 10, hashes: { md5: 'a', sha1: 'b' }, links: { downloadHttp: 'http://h/a' } };
const tarball: Artifact = { filename: 'app.tar.gz', size: 5, hashes: { sha1: 'c' }, links: { download: 'https://h/b', downloadHttp: 'http://h/b' } };

function deployment(overrides: Partial<Deployment>, artifacts: Artifact[] = [bundle]): Deployment {
  return {
    id: '5',
    download: 'forced',
    update: 'forced',
    maintenanceWindow: undefined,
    chunks: [{ part: 'os', name: 'os', version: '2.0', encrypted: false, metadata: [], artifacts }],
    actionHistory: undefined,
    ...overrides,
  };
}

const CASES: [string, Partial<Deployment>, { type: string; download: boolean; install: boolean; waitingForWindow: boolean }][] = [
  ['forced', {}, { type: 'forced', download: true, install: true, waitingForWindow: false }],
  ['soft', { download: 'attempt', update: 'attempt' }, { type: 'soft', download: true, install: true, waitingForWindow: false }],
  ['download-only', { update: 'skip' }, { type: 'downloadOnly', download: true, install: false, waitingForWindow: false }],
  ['window closed', { update: 'skip', maintenanceWindow: 'unavailable' }, { type: 'forced', download: true, install: false, waitingForWindow: true }],
  ['window open', { maintenanceWindow: 'available' }, { type: 'forced', download: true, install: true, waitingForWindow: false }],
  ['soft, window closed', { download: 'attempt', update: 'skip', maintenanceWindow: 'unavailable' }, { type: 'soft', download: true, install: false, waitingForWindow: true }],
  ['download skip', { download: 'skip', update: 'skip', maintenanceWindow: 'unavailable' }, { type: 'forced', download: false, install: false, waitingForWindow: true }],
];

for (const [name, overrides, expected] of CASES) {
  test(`plan: ${name}`, (t) => {
    const plan = planDeployment(deployment(overrides));
    t.like(plan, { ...expected, actionId: '5', problem: undefined });
  });
}

test('a non-bundle artifact fails an installing action, naming it', (t) => {
  const plan = planDeployment(deployment({}, [bundle, tarball]));
  t.regex(plan.problem ?? '', /artifact 'app\.tar\.gz' of 'os' 2\.0 is not a RAUC bundle/);
});

test('a download-only action may carry any file', (t) => {
  t.is(planDeployment(deployment({ update: 'skip' }, [bundle, tarball])).problem, undefined);
});

test('no artifacts is a problem', (t) => {
  t.is(planDeployment(deployment({}, [])).problem, 'the action has no artifacts');
});

test('artifacts keep chunk order across chunks', (t) => {
  const second = { part: 'bApp', name: 'app', version: '1.1', encrypted: false, metadata: [], artifacts: [{ ...bundle, filename: 'app.raucb' }] };
  const plan = planDeployment({ ...deployment({}), chunks: [...deployment({}).chunks, second] });
  t.deepEqual(plan.artifacts.map((item) => [item.chunk, item.artifact.filename]), [['os', 'os-2.0.raucb'], ['app', 'app.raucb']]);
});

test('download URLs: https first, then http', (t) => {
  t.deepEqual(artifactUrls(tarball), ['https://h/b', 'http://h/b']);
  t.deepEqual(artifactUrls(bundle), ['http://h/a']);
});

test('non_bundle_artifacts = skip: the other files are left out and named, the bundles kept in chunk order', (t) => {
  const app = { part: 'bApp', name: 'app', version: '1.1', encrypted: false, metadata: [], artifacts: [{ ...bundle, filename: 'app.raucb' }] };
  const plan = planDeployment({ ...deployment({}, [tarball, bundle]), chunks: [...deployment({}, [tarball, bundle]).chunks, app] }, 'skip');
  t.is(plan.problem, undefined);
  t.deepEqual(plan.artifacts.map((item) => item.artifact.filename), ['os-2.0.raucb', 'app.raucb']);
  t.deepEqual(plan.skipped.map((item) => item.artifact.filename), ['app.tar.gz']);
  t.deepEqual(skippedDetails(plan), ["Not a RAUC bundle, skipped (non_bundle_artifacts = skip): 'app.tar.gz' of 'os' 2.0"]);
});

test('non_bundle_artifacts = skip: an action with no bundle at all is still a problem, naming its files', (t) => {
  const plan = planDeployment(deployment({}, [tarball]), 'skip');
  t.regex(plan.problem ?? '', /no RAUC bundle \(\*\.raucb\) to install, only other files \('app\.tar\.gz' of 'os' 2\.0\)/);
});

test('non_bundle_artifacts = fail (the default) names the key that would skip the file', (t) => {
  t.regex(planDeployment(deployment({}, [bundle, tarball]), 'fail').problem ?? '', /or set non_bundle_artifacts = skip/);
  t.deepEqual(planDeployment(deployment({}, [bundle, tarball])).skipped, []);
});

test('non_bundle_artifacts = skip does not touch download-only actions: every file is fetched', (t) => {
  const plan = planDeployment(deployment({ update: 'skip' }, [bundle, tarball]), 'skip');
  t.deepEqual(plan.artifacts.map((item) => item.artifact.filename), ['os-2.0.raucb', 'app.tar.gz']);
  t.deepEqual(skippedDetails(plan), []);
});
