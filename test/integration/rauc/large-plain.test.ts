import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { AgentDependencies } from '../../../src/agent/context.js';
import { checkBeforeInstall, decisionOutcome } from '../../../src/agent/policy/checks.js';
import type { ActionRecord } from '../../../src/agent/state.js';
import { parseConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { configText } from '../../helpers/config-text.js';
import { withFake } from './fake-setup.js';

/**
 * CVE-2026-34155: a plain bundle over 2 GiB on RAUC < 1.15.2 is refused before InstallBundle (code
 * 2004) unless allow_large_plain_bundles accepts it. Against the RAUC test service (InspectBundle gives
 * the format) with a sparse 2 GiB + 1 byte bundle file; the RAUC version comes from rauc_version_command.
 */

const SIZE = 2 * 1024 ** 3 + 1;

async function check(t: ExecutionContext, client: Record<string, string>, fake: { inspectBundle?: boolean; format?: string } = {}, size = SIZE) {
  const setup = await withFake(t, { compatible: 'Test Device', inspectBundle: fake.inspectBundle ?? true, bundle: { version: '2.0', format: fake.format ?? 'plain' } });
  const path = join(setup.dir, 'big.raucb');
  execFileSync('truncate', ['-s', String(size), path]);
  const config = parseConfig(configText({ client }), join(setup.dir, 'hawkbit-rauc.conf')).config;
  const deps = { config, installer: setup.installer, log: silentLogger(), status: { set: () => undefined } } as unknown as AgentDependencies;
  const action = { id: '7', bundles: [{ chunk: 'rootfs', version: '2.0', filename: 'big.raucb', size, path }] } as unknown as ActionRecord;
  const decision = await checkBeforeInstall(deps, action, new AbortController().signal);
  t.is(setup.fake.calls.filter((call) => call.method === 'InstallBundle').length, 0, 'nothing was handed to InstallBundle by the check');
  return decision;
}

test('RAUC 1.13 (rauc --version): a plain bundle over 2 GiB is refused with code 2004, naming the CVE and the way out', async (t) => {
  const decision = await check(t, { rauc_version_command: 'echo rauc 1.13' });
  t.is(decision.verdict, 'refuse');
  const outcome = decisionOutcome(decision as Exclude<typeof decision, { verdict: 'proceed' }>);
  t.like(outcome, { result: 'failure', code: 2004 });
  t.is(
    outcome.details[0],
    'Unsafe bundle, not installed: big.raucb (rootfs 2.0, 2.0 GiB, 2147483649 bytes, plain): RAUC 1.13 is older than 1.15.2; ' +
      'a plain bundle over 2 GiB is only partly covered by its signature (CVE-2026-34155). ' +
      'Build it as a verity bundle, update RAUC to 1.15.2 or later, or set allow_large_plain_bundles = true to accept the risk',
  );
});

test('RAUC version unknown (command missing): treated as affected, and the message says so', async (t) => {
  const decision = await check(t, { rauc_version_command: '/nonexistent/rauc --version' });
  t.is(decision.verdict, 'refuse');
  t.regex((decision as { summary: string }).summary, /RAUC's version could not be determined \('\/nonexistent\/rauc --version' .*ENOENT.*\), so it is treated as older than 1\.15\.2/);
});

test('RAUC 1.8 (no InspectBundle): the format is unknown, treated as plain and refused', async (t) => {
  const decision = await check(t, { rauc_version_command: 'echo rauc 1.8' }, { inspectBundle: false });
  t.is(decision.verdict, 'refuse');
  t.regex((decision as { summary: string }).summary, /format unknown: RAUC has no InspectBundle, treated as plain\): RAUC 1\.8 is older than 1\.15\.2/);
});

test('allow_large_plain_bundles = true: installed, with a warning in the record', async (t) => {
  const decision = await check(t, { rauc_version_command: 'echo rauc 1.13', allow_large_plain_bundles: 'true' });
  t.is(decision.verdict, 'proceed');
  t.true(decision.record.some((line) => line.warning && line.text.includes('installing because allow_large_plain_bundles = true')));
});

test('RAUC 1.15.2: proceeds; a verity bundle or a bundle of exactly 2 GiB is not affected (the version is not even asked)', async (t) => {
  t.is((await check(t, { rauc_version_command: 'echo rauc 1.15.2' })).verdict, 'proceed');
  t.is((await check(t, { rauc_version_command: '/nonexistent/rauc' }, { format: 'verity' })).verdict, 'proceed');
  const exact = await check(t, { rauc_version_command: '/nonexistent/rauc' }, {}, 2 * 1024 ** 3);
  t.is(exact.verdict, 'proceed');
  t.false(exact.record.some((line) => line.text.includes('2 GiB')));
});

test('a refused bundle is refused after the compatible check passes, before any install', async (t) => {
  const decision = await check(t, { rauc_version_command: 'echo rauc 1.14.1' });
  t.is(decision.verdict, 'refuse');
  t.true(decision.record.some((line) => line.text.includes("compatible 'Test Device' and version 2.0 as expected")));
});
