// ava configuration of the end-to-end suite (`npm run test:e2e`, see scripts/test-e2e.sh): one real
// server per run, so files and tests run one at a time. HAWKBIT_E2E_SCOPE picks the files:
// full (the pinned hawkBit) everything but test/e2e/goosebit/; compat (an older hawkBit) the
// raw-protocol tests and the agent smoke (test/e2e/agent/smoke-*); goosebit only test/e2e/goosebit/.
const scopes = {
  full: ['test/e2e/**/*.test.ts', '!test/e2e/goosebit/**'],
  compat: ['test/e2e/ddi/**/*.test.ts', 'test/e2e/agent/smoke-*.test.ts'],
  goosebit: ['test/e2e/goosebit/**/*.test.ts'],
};

const scope = process.env.HAWKBIT_E2E_SCOPE ?? 'full';
if (!Object.hasOwn(scopes, scope)) throw new Error(`HAWKBIT_E2E_SCOPE=${scope}: expected one of ${Object.keys(scopes).join(', ')}`);

export default {
  files: scopes[scope],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  concurrency: 1,
  serial: true,
  timeout: '120s',
};
