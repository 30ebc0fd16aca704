import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { silentLogger } from '../../../src/log/index.js';
import { DbusInstaller, isRaucBusyError, isRaucInstallError, type InstallProgress } from '../../../src/rauc/index.js';
import { RAUC_VERSIONS, RaucEnvironment, type RaucVersion } from '../../harness/rauc-environment.js';
import { RAUC_113_SUCCESS, RAUC_18_SUCCESS } from '../../fakes/rauc/progress.js';

// Real RAUC 1.8 and 1.13 (see docs/rauc.md), one environment each. Serial: one RAUC service installs
// one bundle at a time.
interface Rauc {
  env: RaucEnvironment;
  installer: DbusInstaller;
}
const test = anyTest as TestFn<Partial<Record<RaucVersion, Rauc>>>;

test.before(async (t) => {
  const started = await Promise.allSettled(RAUC_VERSIONS.map((version) => RaucEnvironment.start({ version })));
  for (const result of started) {
    if (result.status === 'fulfilled') t.context[result.value.version] = { env: result.value, installer: new DbusInstaller({ bus: { address: result.value.busAddress }, log: silentLogger() }) };
  }
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
});

test.after.always(async (t) => {
  for (const rauc of Object.values(t.context)) {
    await rauc.installer.close();
    await rauc.env.stop();
  }
});

function rauc(t: { context: Partial<Record<RaucVersion, Rauc>> }, version: RaucVersion): Rauc {
  const found = t.context[version];
  if (!found) throw new Error(`RAUC ${version} did not start`);
  return found;
}

/**
 * Whether `seen` is RAUC's success sequence of that version, in order, possibly with steps missing:
 * RAUC emits Completed at once but property changes from an idle callback, coalescing them, so on a
 * loaded machine some (rarely all) steps arrive merged or after Completed. 1.13 also repeats the copy
 * step with rising percentages.
 */
function unexpectedProgress(version: RaucVersion, seen: readonly InstallProgress[]): InstallProgress | undefined {
  const expected = version === '1.8' ? RAUC_18_SUCCESS : RAUC_113_SUCCESS;
  let next = 0;
  let last: InstallProgress | undefined;
  for (const step of seen) {
    const repeat = version === '1.13' && last?.message === 'Copying image to rootfs.1' && step.message === last.message && step.depth === last.depth && step.percentage >= last.percentage && step.percentage < 99;
    const at = repeat ? next - 1 : expected.findIndex((e, index) => index >= next && e.percentage === step.percentage && e.message === step.message && e.depth === step.depth);
    if (at < 0) return step;
    next = at + 1;
    last = step;
  }
  return undefined;
}

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

for (const version of RAUC_VERSIONS) {
  test.serial(`RAUC ${version}: a good bundle installs: progress in order, slot written, slot status shows the version`, async (t) => {
    const { env, installer } = rauc(t, version);
    const image = randomBytes(256 * 1024);
    const bundle = await env.buildBundle({ version: '2.0', imageBytes: image });
    const seen: InstallProgress[] = [];
    await installer.install(bundle, { onProgress: (p) => seen.push(p) });
    const unexpected = unexpectedProgress(version, seen);
    t.is(unexpected, undefined, `unexpected or out-of-order progress ${JSON.stringify(unexpected)} in ${JSON.stringify(seen)}`);
    const fixed = (version === '1.8' ? RAUC_18_SUCCESS : RAUC_113_SUCCESS).length;
    if (seen.length < fixed) t.log(`${fixed - seen.length} progress steps were coalesced by RAUC`);
    t.true((await slotBytes(env.slotDevice('rootfs.1'), image.length)).equals(image), 'rootfs.1 holds the image');
    const slot = (await installer.slotStatus()).find((s) => s.name === 'rootfs.1');
    t.like(slot, { bundleVersion: '2.0', bundleCompatible: 'Test Device', sha256: createHash('sha256').update(image).digest('hex') });
    t.is(slot?.raw['size'], BigInt(image.length));
    t.is(await installer.primary(), 'rootfs.1');
    t.like(await installer.properties(), { operation: 'idle', lastError: '', compatible: 'Test Device', bootSlot: 'A' });
  });

  test.serial(`RAUC ${version}: info() reads compatible and version from a bundle`, async (t) => {
    const { env, installer } = rauc(t, version);
    const bundle = await env.buildBundle({ version: '3.1.4' });
    t.deepEqual(await installer.info(bundle), { compatible: 'Test Device', version: '3.1.4' });
  });

  test.serial(`RAUC ${version}: wrong compatible: RAUC's LastError reaches RaucInstallError`, async (t) => {
    const { env, installer } = rauc(t, version);
    const bundle = await env.buildBundle({ version: '2.1', compatible: 'Other Device' });
    const error = await t.throwsAsync(installer.install(bundle));
    t.true(isRaucInstallError(error));
    if (!isRaucInstallError(error)) return;
    t.is(error.resultCode, 1);
    // 1.13 drops the "Installation error: " prefix.
    const mismatch = "Compatible mismatch: Expected 'Test Device' but bundle manifest has 'Other Device'";
    t.is(error.lastError, version === '1.8' ? `Installation error: ${mismatch}` : mismatch);
    t.true(error.message.includes(error.lastError));
  });

  test.serial(`RAUC ${version}: untrusted signer: signature verification error`, async (t) => {
    const { env, installer } = rauc(t, version);
    const bundle = await env.buildBundle({ version: '2.2', signer: 'untrusted' });
    const error = await t.throwsAsync(installer.install(bundle));
    t.true(isRaucInstallError(error));
    if (isRaucInstallError(error)) t.is(error.lastError, 'signature verification failed: Verify error: self-signed certificate');
  });

  test.serial(`RAUC ${version}: missing file, given relative: sent as an absolute path, RAUC names it`, async (t) => {
    const { installer } = rauc(t, version);
    const error = await t.throwsAsync(installer.install('no-such-bundle.raucb'));
    t.true(isRaucInstallError(error));
    const expected = `Invalid bundle format: Failed to open bundle for reading: Error opening file ${resolve('no-such-bundle.raucb')}: No such file or directory`;
    if (isRaucInstallError(error)) t.is(error.lastError, expected);
  });

  test.serial(`RAUC ${version}: ignoreCompatible installs a bundle for another device`, async (t) => {
    const { env, installer } = rauc(t, version);
    const bundle = await env.buildBundle({ version: '2.3', compatible: 'Other Device' });
    await installer.install(bundle, { args: { ignoreCompatible: true } });
    t.like((await installer.slotStatus()).find((s) => s.name === 'rootfs.1'), { bundleVersion: '2.3', bundleCompatible: 'Other Device' });
  });

  test.serial(`RAUC ${version}: busy: a second install while one runs is refused, the first completes`, async (t) => {
    const { env, installer } = rauc(t, version);
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
}
