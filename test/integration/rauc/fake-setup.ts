import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { silentLogger } from '../../../src/log/index.js';
import { DbusInstaller } from '../../../src/rauc/index.js';
import { startPrivateBus, type PrivateBus } from '../../harness/dbus-daemon.js';
import { FakeRaucService, type FakeRaucOptions } from '../../fakes/rauc/fake-rauc-service.js';

export interface FakeSetup {
  readonly bus: PrivateBus;
  readonly fake: FakeRaucService;
  readonly installer: DbusInstaller;
  /** A bundle file with random content, and its sha256. */
  readonly bundle: { readonly path: string; readonly sha256: string; readonly size: number };
  readonly dir: string;
}

/** A private bus with the fake RAUC on it and an installer pointed at it; all torn down after the test. */
export async function withFake(t: ExecutionContext, options: Omit<FakeRaucOptions, 'busAddress'> = {}): Promise<FakeSetup> {
  const dir = await mkdtemp(join(tmpdir(), 'hr-fake-rauc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const bus = await startPrivateBus();
  t.teardown(() => bus.stop());
  const fake = await FakeRaucService.start({ busAddress: bus.address, ...options });
  t.teardown(() => fake.stop());
  const installer = new DbusInstaller({ bus: { address: bus.address }, log: silentLogger() });
  t.teardown(() => installer.close());
  const content = Buffer.from(`bundle ${Math.random()}`.repeat(1000));
  const path = join(dir, 'update.raucb');
  await writeFile(path, content);
  return { bus, fake, installer, dir, bundle: { path, sha256: createHash('sha256').update(content).digest('hex'), size: content.length } };
}
