#!/usr/bin/env node
// The device build's start script (usr/lib/hawkbit-rauc/hawkbit-rauc.cjs, what /usr/bin/hawkbit-rauc
// links to; scripts/build-device.ts bundles it): runs the service's bundle next to it through V8's code
// cache, kept in the unit's CacheDirectory= (systemd passes it as CACHE_DIRECTORY, the first of a
// colon-separated list). Without it, e.g. the command run by hand, the bundle runs without a cache
// (docs/deploying.md › Code cache).
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { startWithCodeCache } from './lib/code-cache.js';
import { firstDirectory } from './lib/systemd-directory.js';

// V8 compiles no further than its baseline tier (Sparkplug): the service's hot paths run in C++
// (hashing, HTTP parsing, file I/O) and its JavaScript mostly waits on them, so the optimising
// compiler's work cost more than it saved: 0.15–0.4 ms more CPU per idle poll, and 4–6 MB more peak
// RSS from its first compile on (its own code paged in) — docs/performance.md › Levers, eighth round. Set before
// the bundle is compiled, so the code cache is made and checked under the same flags; a `--max-opt`
// given to node itself is left as it is.
if (!process.execArgv.some((arg) => arg.startsWith('--max-opt'))) setFlagsFromString('--max-opt=1');

const here = dirname(realpathSync(process.argv[1] ?? '.'));
startWithCodeCache({ script: join(here, 'hawkbit-rauc-bundle.cjs'), cacheDir: firstDirectory(process.env.CACHE_DIRECTORY) });
