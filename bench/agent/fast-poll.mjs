// Benchmark only — never shipped (package.json "files" holds dist/ and config/ only) and inert unless
// loaded explicitly with `node --import <this file> dist/cli.js …`.
//
// The agent never polls more often than once a second (the server's `config.polling.sleep` has whole
// seconds; "00:00:00" falls back to `retry_wait`, at least 1 s), so 1,000 polls would take 17 minutes.
// This preload makes every `timers/promises` setTimeout of exactly BENCH_POLL_FROM_MS (default 1000)
// last BENCH_POLL_MS (default 10) instead. With the fake hawkBit answering "00:00:01" that is the
// agent's sleep between polls (src/agent/agent.ts → src/lib/abort.ts `delay`); everything else the
// agent does per poll (HTTP, JSON, D-Bus attributes, status file) is unchanged.
import { syncBuiltinESMExports } from 'node:module';
import timers from 'node:timers/promises';

const from = Number(process.env.BENCH_POLL_FROM_MS ?? 1000);
const to = Number(process.env.BENCH_POLL_MS ?? 10);
const original = timers.setTimeout;
timers.setTimeout = (ms, value, options) => original(ms === from ? to : ms, value, options);
syncBuiltinESMExports();
