import test from 'ava';
import { collectImports, importCycles, layerViolations } from './import-rules.js';
import { readSources, SRC } from './source-files.js';

// The rules themselves are documented in docs/architecture.md ("Layers") and in import-rules.ts.

const sources = readSources(SRC);
const { edges, unresolved } = collectImports(sources);

test('the scan sees the whole of src/ (every layer, and the imports between them)', (t) => {
  t.true(sources.size > 100, `${sources.size} files`);
  for (const dir of ['agent', 'cli', 'config', 'ddi', 'download', 'lib', 'log', 'net', 'rauc', 'system']) {
    t.true([...sources.keys()].some((file) => file.startsWith(`${dir}/`)), dir);
  }
  t.true(edges.length > 300, `${edges.length} imports`);
  t.deepEqual(unresolved, []);
});

test('no import cycle between files of src/', (t) => {
  const cycles = importCycles(sources.keys(), edges);
  t.deepEqual(cycles.map((chain) => chain.join(' → ')), []);
});

test('imports only go down the layers, never sideways, enter another layer through its index.ts, and the policy imports no step', (t) => {
  t.deepEqual(layerViolations(sources.keys(), edges), []);
});

// The checks on a made-up tree, so that a check that cannot fail does not pass unnoticed.
const sample = new Map<string, string>([
  ['main.ts', "import { run } from './agent/index.js';\nimport { ExitCode } from './cli/exit-codes.js';"],
  ['cli/exit-codes.ts', "export const ExitCode = {};\nimport { runService } from '../main.js';"],
  ['agent/index.ts', "export * from './runner.js';"],
  ['agent/runner.ts', "import { finish } from './finish.js';\nimport type { Config } from '../config/index.js';"],
  ['agent/finish.ts', "export { run } from './runner.js';\nconst later = () => import('../ddi/client.js');"],
  ['agent/policy/checks.ts', "import { prepare } from '../download-step.js';\nimport { plan } from '../deployment-plan.js';"],
  ['agent/download-step.ts', ''],
  ['agent/deployment-plan.ts', ''],
  ['ddi/index.ts', "export * from './client.js';"],
  ['ddi/client.ts', "import type { Config } from '../config/types.js';\nimport { Installer } from '../rauc/index.js';"],
  ['rauc/index.ts', "import { log } from '../log/index.js';\nimport { abort } from '../lib/abort.js';"],
  ['log/index.ts', "import type { LogLevel } from '../config/index.js';"],
  ['config/index.ts', "export * from './types.js';"],
  ['config/types.ts', "import { x } from './missing.js';"],
  ['lib/abort.ts', "import { packageVersion } from '../version.js';"],
  ['version.ts', ''],
  ['extra/thing.ts', ''],
]);

test('the cycle check names each cycle as its chain of files', (t) => {
  const { edges: sampleEdges } = collectImports(sample);
  const cycles = importCycles(sample.keys(), sampleEdges).map((chain) => chain.join(' → '));
  t.is(cycles.length, 2);
  t.true(cycles.some((c) => /^(main\.ts → cli\/exit-codes\.ts → main\.ts|cli\/exit-codes\.ts → main\.ts → cli\/exit-codes\.ts)$/.test(c)), cycles.join('\n'));
  t.true(cycles.some((c) => c.includes('agent/runner.ts → agent/finish.ts') || c.includes('agent/finish.ts → agent/runner.ts')), cycles.join('\n'));
});

test('the layer check names each upward, sideways, config-reading, deep and policy-to-step import and each unplaced file', (t) => {
  const { edges: sampleEdges, unresolved: missing } = collectImports(sample);
  t.deepEqual(missing, ["config/types.ts: import './missing.js' does not name a file of src/"]);
  t.deepEqual(layerViolations(sample.keys(), sampleEdges).sort(), [
    "agent/finish.ts: import '../ddi/client.js' reaches into ddi/'s internals (import ddi/index.ts)",
    "agent/policy/checks.ts: import '../download-step.js': the update policy decides, the agent's steps act",
    "ddi/client.ts: import '../config/types.js' reaches into config/'s internals (import config/index.ts)",
    "ddi/client.ts: import '../config/types.js': ddi/ reads config/ (pass it the values it needs instead)",
    "ddi/client.ts: import '../rauc/index.js' goes sideways from ddi/ to its sibling rauc/",
    'extra/thing.ts: not in any layer (add it to LAYERS)',
    "log/index.ts: import '../config/index.js' goes sideways from log/ to its sibling config/",
    "log/index.ts: import '../config/index.js': log/ reads config/ (pass it the values it needs instead)",
    "main.ts: import './cli/exit-codes.js' goes up from main/ to cli/",
  ].sort());
});
