// Benchmark only — never shipped (package.json "files" holds dist/ and config/ only) and inert unless
// loaded explicitly with `node --require <this file> dist/cli.js …`. CommonJS, so that it loads no ES
// module machinery into a program that has none of its own (the device build's CommonJS bundle).
//
// The agent never polls more often than once a second (the server's `config.polling.sleep` has whole
// seconds; "00:00:00" falls back to `retry_wait`, at least 1 s), so 1,000 polls would take 17 minutes.
// This preload shortens `timers/promises` setTimeout calls of exactly BENCH_POLL_FROM_MS (default
// 1000) to BENCH_POLL_MS (default 10): with the fake hawkBit answering "00:00:01" that is the agent's
// sleep between polls (src/agent/agent.ts → src/lib/abort.ts `delay`); everything else the agent does
// per poll (HTTP, JSON, D-Bus attributes, status file) is unchanged. Only such sleeps number
// BENCH_POLL_FAST_FROM (default 0) to BENCH_POLL_FAST_FROM + BENCH_POLL_FAST_COUNT (default: all) are
// shortened, so that a run can poll at the real interval before and after the fast stretch.
'use strict';
const { syncBuiltinESMExports } = require('node:module');
const timers = require('node:timers/promises');

const from = Number(process.env.BENCH_POLL_FROM_MS ?? 1000);
const to = Number(process.env.BENCH_POLL_MS ?? 10);
const first = Number(process.env.BENCH_POLL_FAST_FROM ?? 0);
const last = first + Number(process.env.BENCH_POLL_FAST_COUNT ?? Infinity);
const original = timers.setTimeout;
let sleeps = 0;
// Callers that import it as an ES module see it once the built-in's ES exports are synced (below);
// CommonJS callers (the device bundle) read the property at each call.
timers.setTimeout = (ms, value, options) => {
  if (ms !== from) return original(ms, value, options);
  const index = sleeps++;
  return original(index >= first && index < last ? to : ms, value, options);
};
syncBuiltinESMExports();
