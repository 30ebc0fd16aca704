import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { silentLogger } from '../../../src/log/index.js';
import { DbusInstaller, isRaucBusyError, isRaucInstallError, type InstallProgress } from '../../../src/rauc/index.js';
import { RaucEnvironment } from '../../harness/rauc-environment.js';
import { RAUC_18_SUCCESS } from '../../fakes/rauc/progress.js';

// Real RAUC 1.8 (see docs/rauc.md). Serial: one RAUC service installs one bundle at a time.
const test = anyTest as TestFn<{ env: RaucEnvironment; installer: DbusInstaller }>;

test.before(async (t) => {
  const env = await RaucEnvironment.start();
  t.context = { env, installer: new DbusInstaller({ bus: { address: env.busAddress }, log: silentLogger() }) };
});

test.after.always(async (t) => {
  await t.context.installer?.close();
  await t.context.env?.stop();
});

async function slotBytes(path: string, length: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

test.serial('a good bundle installs: progress in order, slot written, slot status shows the version', async (t) => {
  const { env, installer } = t.context;
  const image = randomBytes(256 * 1024);
  const bundle = await env.buildBundle({ version: '2.0', imageBytes: image });
  const seen: InstallProgress[] = [];
  await installer.install(bundle, { onProgress: (p) => seen.push(p) });
  // RAUC emits Completed at once but property changes from an idle callback, coalescing them: on a
  // loaded machine some (rarely all) Progress steps arrive merged or after Completed. What arrives
  // must be RAUC 1.8's sequence, in order, without gaps being filled with anything else.
  let next = 0;
  for (const step of seen) {
    const at = RAUC_18_SUCCESS.findIndex((expected, index) => index >= next && expected.percentage === step.percentage && expected.message === step.message && expected.depth === step.depth);
    t.true(at >= 0, `unexpected or out-of-order progress ${JSON.stringify(step)}`);
    next = at + 1;
  }
  if (seen.length < RAUC_18_SUCCESS.length) t.log(`${RAUC_18_SUCCESS.length - seen.length} progress steps were coalesced by RAUC`);
  t.true((await slotBytes(env.slotDevice('rootfs.1'), image.length)).equals(image), 'rootfs.1 holds the image');
  const slot = (await installer.slotStatus()).find((s) => s.name === 'rootfs.1');
  t.like(slot, { bundleVersion: '2.0', bundleCompatible: 'Test Device', sha256: createHash('sha256').update(image).digest('hex') });
  t.is(slot?.raw['size'], BigInt(image.length));
  t.is(await installer.primary(), 'rootfs.1');
  t.like(await installer.properties(), { operation: 'idle', lastError: '', compatible: 'Test Device', bootSlot: 'A' });
});

test.serial('info() reads compatible and version from a bundle', async (t) => {
  const { env, installer } = t.context;
  const bundle = await env.buildBundle({ version: '3.1.4' });
  t.deepEqual(await installer.info(bundle), { compatible: 'Test Device', version: '3.1.4' });
});

test.serial('wrong compatible: RAUC\'s LastError reaches RaucInstallError', async (t) => {
  const { env, installer } = t.context;
  const bundle = await env.buildBundle({ version: '2.1', compatible: 'Other Device' });
  const error = await t.throwsAsync(installer.install(bundle));
  t.true(isRaucInstallError(error));
  if (!isRaucInstallError(error)) return;
  t.is(error.resultCode, 1);
  t.is(error.lastError, "Installation error: Compatible mismatch: Expected 'Test Device' but bundle manifest has 'Other Device'");
  t.true(error.message.includes(error.lastError));
});

test.serial('untrusted signer: signature verification error', async (t) => {
  const { env, installer } = t.context;
  const bundle = await env.buildBundle({ version: '2.2', signer: 'untrusted' });
  const error = await t.throwsAsync(installer.install(bundle));
  t.true(isRaucInstallError(error));
  if (isRaucInstallError(error)) t.is(error.lastError, 'signature verification failed: Verify error: self-signed certificate');
});

test.serial('missing file, given relative: sent as an absolute path, RAUC names it', async (t) => {
  const { installer } = t.context;
  const error = await t.throwsAsync(installer.install('no-such-bundle.raucb'));
  t.true(isRaucInstallError(error));
  const expected = `Invalid bundle format: Failed to open bundle for reading: Error opening file ${resolve('no-such-bundle.raucb')}: No such file or directory`;
  if (isRaucInstallError(error)) t.is(error.lastError, expected);
});

test.serial('ignoreCompatible installs a bundle for another device', async (t) => {
  const { env, installer } = t.context;
  const bundle = await env.buildBundle({ version: '2.3', compatible: 'Other Device' });
  await installer.install(bundle, { args: { ignoreCompatible: true } });
  t.like((await installer.slotStatus()).find((s) => s.name === 'rootfs.1'), { bundleVersion: '2.3', bundleCompatible: 'Other Device' });
});

test.serial('busy: a second install while one runs is refused, the first completes', async (t) => {
  const { env, installer } = t.context;
  const bundle = await env.buildBundle({ version: '2.4' });
  const release = await env.holdInstalls();
  t.teardown(release);
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const first = installer.install(bundle, { onProgress: () => started() });
  await running;
  const other = new DbusInstaller({ bus: { address: env.busAddress }, log: silentLogger() });
  t.teardown(() => other.close());
  t.true(isRaucBusyError(await t.throwsAsync(other.install(bundle))), 'another client');
  t.true(isRaucBusyError(await t.throwsAsync(other.slotStatus())), 'RAUC refuses slot status during an install');
  t.true(isRaucBusyError(await t.throwsAsync(installer.install(bundle))), 'the same client');
  await release();
  await t.notThrowsAsync(first);
  t.is((await installer.slotStatus()).find((s) => s.name === 'rootfs.1')?.bundleVersion, '2.4');
});
