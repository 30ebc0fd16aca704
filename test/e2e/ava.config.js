// ava configuration of the end-to-end suite (`npm run test:e2e`, see scripts/test-e2e.sh): one real
// hawkBit per run, so files and tests run one at a time. HAWKBIT_E2E_SCOPE=compat (an older server)
// runs the raw-protocol tests and the agent smoke (test/e2e/agent/smoke-*).
const compat = process.env.HAWKBIT_E2E_SCOPE === 'compat';

export default {
  files: compat ? ['test/e2e/ddi/**/*.test.ts', 'test/e2e/agent/smoke-*.test.ts'] : ['test/e2e/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  concurrency: 1,
  serial: true,
  timeout: '120s',
};
