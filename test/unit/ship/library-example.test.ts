import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { FakeHawkbit } from '../../fakes/hawkbit/index.js';

const run = promisify(execFile);
const repo = new URL('../../../', import.meta.url).pathname;
const EXAMPLE = 'examples/report-result.ts';
const TOKEN = 'library-example-token-5150';

/**
 * A consumer project in a temp dir: `node_modules/hawkbit-rauc` links to this package, so the example
 * is type-checked against the `exports` map and the .d.ts files in dist/, as an npm user gets them.
 */
const consumer = mkdtempSync(join(tmpdir(), 'hr-library-'));
test.after.always(() => rmSync(consumer, { recursive: true, force: true }));

test.before(async () => {
  if (!existsSync(join(repo, 'dist/ddi/index.d.ts'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  mkdirSync(join(consumer, 'node_modules'));
  symlinkSync(repo, join(consumer, 'node_modules/hawkbit-rauc'));
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  copyFileSync(join(repo, EXAMPLE), join(consumer, 'report-result.ts'));
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', lib: ['ES2023'], strict: true,
      noUncheckedIndexedAccess: true, skipLibCheck: true, outDir: 'out',
      typeRoots: [join(repo, 'node_modules/@types')], types: ['node'],
    },
    files: ['report-result.ts'],
  }));
  await run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', consumer], { cwd: consumer, timeout: 120_000 });
});

test('docs/library.md shows the tested example verbatim', (t) => {
  const doc = readFileSync(join(repo, 'docs/library.md'), 'utf8');
  t.true(doc.includes(`\`\`\`ts\n${readFileSync(join(repo, EXAMPLE), 'utf8')}\`\`\``));
});

test('the compiled example polls the fake hawkBit, sends attributes and reports a result', async (t) => {
  const hb = await FakeHawkbit.start();
  t.teardown(() => hb.close());
  const target = hb.addTarget('gateway-device-1', { token: TOKEN });
  const { actionId } = target.pushDeployment({
    type: 'forced',
    chunks: [{ part: 'os', name: 'firmware', version: '2.1', artifacts: [{ filename: 'update.raucb', content: Buffer.from('bundle') }] }],
  });
  const config = join(consumer, 'device.conf');
  writeFileSync(config, [
    '[client]', `hawkbit_server = ${hb.hostPort}`, 'ssl = false', `tenant_id = ${hb.tenant}`, 'target_name = gateway-device-1',
    `auth_token = ${TOKEN}`, `bundle_download_location = ${join(consumer, 'update.raucb')}`, 'log_level = info',
    '[device]', 'product = Example Board', '',
  ].join('\n'));

  const result = await run(process.execPath, [join(consumer, 'out/report-result.js'), config], { cwd: consumer, timeout: 120_000 });

  t.regex(result.stderr, new RegExp(`action ${actionId}: reported success`));
  t.regex(result.stderr, /os: update\.raucb \(6 bytes\)/);
  t.false(`${result.stdout}${result.stderr}`.includes(TOKEN));
  t.deepEqual(target.attributes, { product: 'Example Board' });
  const action = target.action(actionId);
  t.is(action.status, 'finished');
  const last = action.feedback.at(-1) as { status: { execution: string; result: { finished: string }; details: string[] } };
  t.is(last.status.execution, 'closed');
  t.is(last.status.result.finished, 'success');
  t.deepEqual(last.status.details, ['firmware 2.1: installed']);
});

test('with nothing assigned the example says so and exits 0', async (t) => {
  const hb = await FakeHawkbit.start({ pollingSleep: '00:05:00' });
  t.teardown(() => hb.close());
  hb.addTarget('idle-device', { token: TOKEN });
  const config = join(consumer, 'idle.conf');
  writeFileSync(config, `[client]\nhawkbit_server = ${hb.hostPort}\nssl = false\ntenant_id = ${hb.tenant}\ntarget_name = idle-device\nauth_token = ${TOKEN}\nstream_bundle = true\n[device]\nproduct = x\n`);
  const result = await run(process.execPath, [join(consumer, 'out/report-result.js'), config], { cwd: consumer, timeout: 120_000 });
  t.regex(result.stderr, /nothing to do; hawkBit asks for the next poll in 300 s/);
});
