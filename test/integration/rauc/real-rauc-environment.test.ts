import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { silentLogger } from '../../../src/log/index.js';
import { DbusInstaller } from '../../../src/rauc/index.js';
import { findLeftovers } from '../../harness/leftovers.js';
import { missingPrerequisites, RAUC_VERSIONS, RaucEnvironment } from '../../harness/rauc-environment.js';

const HOLDER = fileURLToPath(new URL('real-rauc-holder.ts', import.meta.url));

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (const version of RAUC_VERSIONS) {
  test(`RAUC ${version}: this machine has what real RAUC needs (CI must run the real-RAUC tests)`, (t) => {
    t.deepEqual(missingPrerequisites(version), []);
  });

  test(`RAUC ${version}: stop leaves no daemon, mount or loop device behind, even mid-install`, async (t) => {
    const env = await RaucEnvironment.start({ version });
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
    const pid = env.servicePid;
    // 1.13 mounts in its own mount namespace: look with its eyes.
    const during = await findLeftovers(env.dir, version === '1.8' ? {} : { pid });
    t.true(during.mounts.length > 0 && during.loops.length > 0, `the bundle is mounted during the install: ${JSON.stringify(during)}`);
    t.true(alive(pid));

    await env.stop();
    t.false(alive(pid), 'rauc service reaped');
    t.deepEqual(await findLeftovers(env.dir), { mounts: [], loops: [] });
    t.false(existsSync(env.dir), 'temp dir removed');
  });
}

// The 1.13 root's mounts live in RAUC's own mount namespace, and RAUC has a parent-death signal: a test
// process that dies without any cleanup (SIGKILL; SIGTERM and Ctrl-C end it the same way) takes them along.
test('RAUC 1.13: a test process killed with SIGKILL leaves no RAUC, bus or mount behind', async (t) => {
  const child = spawn(process.execPath, ['--import=tsx', HOLDER, '1.13'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const { dir, raucPid, busPid } = JSON.parse(line.toString()) as { dir: string; raucPid: number; busPid: number };
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.true(alive(raucPid) && alive(busPid));
  const inNamespace = await findLeftovers(dir, { pid: raucPid });
  t.true(inNamespace.mounts.length > 0, `RAUC sees its bind mount of the test directory: ${JSON.stringify(inNamespace)}`);
  t.deepEqual(await findLeftovers(dir), { mounts: [], loops: [] }, 'the host never sees the root\'s mounts');

  child.kill('SIGKILL');
  await once(child, 'exit');
  for (let i = 0; i < 100 && (alive(raucPid) || alive(busPid)); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  t.false(alive(raucPid), 'RAUC ended with its parent');
  t.false(alive(busPid), 'so did the bus');
  t.deepEqual(await findLeftovers(dir), { mounts: [], loops: [] });
});
