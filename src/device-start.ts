#!/usr/bin/env node
// The device build's start script (usr/lib/hawkbit-rauc/hawkbit-rauc.cjs, what /usr/bin/hawkbit-rauc
// links to; scripts/build-device.ts bundles it): runs the service's bundle next to it through V8's code
// cache, kept in the unit's CacheDirectory= (systemd passes it as CACHE_DIRECTORY, the first of a
// colon-separated list). Without it, e.g. the command run by hand, the bundle runs without a cache
// (docs/deploying.md › Code cache).
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startWithCodeCache } from './lib/code-cache.js';

const here = dirname(realpathSync(process.argv[1] ?? '.'));
startWithCodeCache({ script: join(here, 'hawkbit-rauc-bundle.cjs'), cacheDir: process.env.CACHE_DIRECTORY?.split(':')[0] || undefined });
