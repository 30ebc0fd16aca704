import { existsSync } from 'node:fs';
import test from 'ava';
import { silentLogger } from '../../../src/log/index.js';
import { DbusInstaller } from '../../../src/rauc/index.js';
import { findLeftovers } from '../../harness/leftovers.js';
import { missingPrerequisites, RaucEnvironment } from '../../harness/rauc-environment.js';

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('this machine has what real RAUC needs (CI must run the real-RAUC tests)', (t) => {
  t.deepEqual(missingPrerequisites(), []);
});

test('stop leaves no daemon, mount or loop device behind, even mid-install', async (t) => {
  const env = await RaucEnvironment.start();
  t.teardown(() => env.stop());
  const installer = new DbusInstaller({ bus: { address: env.busAddress }, log: silentLogger() });
  t.teardown(() => installer.close());
  const bundle = await env.buildBundle({ version: '9.0' });
  await env.holdInstalls();
  let mounted!: () => void;
  const held = new Promise<void>((resolve) => (mounted = resolve));
  // The pre-install handler runs with the bundle mounted: stop RAUC right there.
  const install = installer.install(bundle, { onProgress: (p) => p.message === 'Determining target install group done.' && mounted() });
  install.catch(() => undefined);
  await held;
  const during = await findLeftovers(env.dir);
  t.true(during.mounts.length > 0 && during.loops.length > 0, `the bundle is mounted during the install: ${JSON.stringify(during)}`);
  const pid = env.servicePid;
  t.true(alive(pid));

  await env.stop();
  t.false(alive(pid), 'rauc service reaped');
  t.deepEqual(await findLeftovers(env.dir), { mounts: [], loops: [] });
  t.false(existsSync(env.dir), 'temp dir removed');
});
