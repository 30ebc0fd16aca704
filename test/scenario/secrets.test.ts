/**
 * A hostile server echoes the target token back: in error bodies (poll and deployment), in a redirect
 * URL of an artifact and in a deployment's chunk name. Whatever the agent writes or sends is collected
 * while it runs — every version of the state file and the status file, `hawkbit-rauc status` output at
 * every persisted phase, every log line, every feedback body the server received — and must not hold it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runCli } from '../../src/cli/run-cli.js';
import { Capture } from '../helpers/capture.js';
import { AgentHarness, TOKEN } from '../helpers/agent-harness.js';

const BASE = /\/controller\/v1\/device-1$/;

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

test('a token echoed by the server reaches no file, output, log line or feedback', async (t) => {
  const h = await AgentHarness.start({ fakeRauc: { delayMs: 30 } });
  t.teardown(() => h.stop());
  const file = join(h.dir, 'hawkbit-rauc.conf');
  writeFileSync(file, h.configText, { mode: 0o600 });
  const stateFile = join(h.config.stateDir, 'state.json');
  const statusFile = join(h.config.stateDir, 'status.json');

  const written: string[] = [];
  const outputs: Promise<void>[] = [];
  const cliOut = new Capture();
  const cliErr = new Capture();
  const statusCommand = () => {
    outputs.push(
      runCli(['-c', file, 'status'], { stdout: cliOut, stderr: cliErr, signal: new AbortController().signal }).then((code) => {
        if (code !== 0) throw new Error(`status exited ${code}: ${cliErr.text}`);
      }),
    );
  };
  const snapshot = () => {
    for (const path of [stateFile, statusFile]) {
      const text = readOr(path);
      if (text !== undefined) written.push(text);
    }
  };
  const run = (done: () => boolean) =>
    h.runUntil(() => (snapshot(), done()), {
      onPersist: () => {
        snapshot();
        statusCommand();
      },
    });

  // 1. Poll answers that echo the Authorization header: with its scheme, and bare.
  h.hb.failNext(1, 400, { match: BASE, body: { errorCode: `echo: TargetToken ${TOKEN}`, message: 'bad request' } });
  h.hb.failNext(1, 400, { match: BASE, body: { errorCode: `echo-${TOKEN}-end` } });
  await run(() => /poll failed: .*echo-/.test(h.logs.text));
  snapshot();
  statusCommand();
  t.regex(readFileSync(statusFile, 'utf8'), /"lastError": "GET .*echo-<redacted>-end/, 'the status file keeps the error, redacted');

  // 2. A chunk named after the token, installed.
  const content = Buffer.from('bundle bytes '.repeat(500));
  const named = h.target.pushDeployment({ type: 'forced', chunks: [{ name: `rootfs-${TOKEN}`, version: '2.0', artifacts: [{ filename: 'u.raucb', content }] }] }).actionId;
  await run(() => {
    if (h.fakeRauc!.calls.some((call) => call.method === 'InstallBundle') && outputs.length < 200) statusCommand();
    return h.target.action(named).status !== 'active';
  });
  t.is(h.target.action(named).status, 'finished');

  // 3. The deployment request answered 400 with the token in the error body.
  const refused = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '3.0', artifacts: [{ filename: 'u.raucb', content }] }] }).actionId;
  h.hb.failNext(1, 400, { match: /\/deploymentBase\//, body: { errorCode: `no such thing as ${TOKEN}` } });
  await run(() => h.target.action(refused).status !== 'active');
  t.is(h.target.action(refused).status, 'error');

  // 4. The artifact redirected to a URL holding the token, which is not there.
  const redirected = h.target.pushDeployment({ type: 'forced', chunks: [{ name: 'rootfs', version: '4.0', artifacts: [{ filename: 'r.raucb', content }] }] }).actionId;
  h.hb.failNext(1, 302, { match: /\/artifacts\/r\.raucb$/, headers: { location: `/files/${TOKEN}/r.raucb` } });
  await run(() => h.target.action(redirected).status !== 'active');
  t.is(h.target.action(redirected).status, 'error');
  t.true(h.hb.requests.some((request) => request.path === `/files/${TOKEN}/r.raucb`), 'the redirect was followed');

  await Promise.all(outputs);
  snapshot();
  const feedback = h.target.feedback.map((record) => JSON.stringify(record.body));
  // The echoes did reach each output (so the checks below look at something), redacted.
  t.true(feedback.some((body) => body.includes('rootfs-<redacted> 2.0')), 'chunk name in feedback');
  t.true(feedback.some((body) => body.includes('no such thing as <redacted>')), 'error body in feedback');
  t.true(feedback.some((body) => body.includes('/files/<redacted>/r.raucb')), 'redirect URL in feedback');
  t.true(written.some((text) => text.includes('"chunk": "rootfs-<redacted>"')), 'chunk name in the state file');
  t.true(written.some((text) => text.includes('no such thing as <redacted>')), 'failure details in the state or status file');
  t.regex(cliOut.text, /last error: +GET .*<redacted>/);
  t.true(h.logs.lines.length > 50);

  const places: [string, readonly string[]][] = [
    ['state and status files', written],
    ['status output', [cliOut.text, cliErr.text]],
    ['log lines', h.logs.lines],
    ['feedback bodies', feedback],
  ];
  for (const [where, texts] of places) {
    const leaks = texts.filter((text) => text.includes(TOKEN));
    t.deepEqual(leaks.map((text) => text.slice(0, 300)), [], `the token in ${where}`);
  }
});
