import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { silentLogger } from '../../../src/log/index.js';
import { DbusInstaller, isRaucInstallError } from '../../../src/rauc/index.js';
import { startPrivateBus } from '../../harness/dbus-daemon.js';
import { exited, terminate } from '../../harness/process.js';

const CLI = fileURLToPath(new URL('../../fakes/rauc/cli.ts', import.meta.url));

test('the fake runs on its own from the command line and reports its calls', async (t) => {
  const bus = await startPrivateBus();
  t.teardown(() => bus.stop());
  const dir = await mkdtemp(join(tmpdir(), 'hr-fake-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const bundle = join(dir, 'b.raucb');
  await writeFile(bundle, 'abc');
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--bus', bus.address, '--result', '1', '--last-error', 'nope from the CLI'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => terminate(child));
  const output = collect(child);
  await output.waitFor('ready\n');

  const installer = new DbusInstaller({ bus: { address: bus.address }, log: silentLogger() });
  t.teardown(() => installer.close());
  const error = await t.throwsAsync(installer.install(bundle));
  t.true(isRaucInstallError(error));
  if (isRaucInstallError(error)) t.is(error.lastError, 'nope from the CLI');

  await output.waitFor('"InstallBundle"');
  const call = JSON.parse(output.text.split('\n').find((line) => line.includes('"InstallBundle"')) ?? '{}') as { source?: string; received?: { size: number } };
  t.is(call.source, bundle);
  t.is(call.received?.size, 3);
  child.kill('SIGTERM');
  await exited(child);
  t.is(child.exitCode, 0);
});

/** The child's stdout so far, and a wait for some text in it (fails if the child exits first). */
function collect(child: ChildProcessByStdio<null, Readable, null>) {
  let text = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of [...waiters]) waiter();
  });
  return {
    get text() {
      return text;
    },
    waitFor(wanted: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (text.includes(wanted)) done(resolve);
        };
        const onExit = (): void => done(() => reject(new Error(`fake exited before printing ${wanted}: ${text}`)));
        const done = (settle: () => void): void => {
          waiters.delete(check);
          child.off('exit', onExit);
          settle();
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}
