/**
 * A test process that starts a real RAUC environment and then only waits, for the test that kills it
 * (real-rauc-environment.test.ts): prints `{"dir", "raucPid", "busPid"}` as one line once RAUC runs.
 */
import { RaucEnvironment, type RaucVersion } from '../../harness/rauc-environment.js';

const env = await RaucEnvironment.start({ version: (process.argv[2] ?? '1.13') as RaucVersion });
process.stdout.write(`${JSON.stringify({ dir: env.dir, raucPid: env.servicePid, busPid: env.busPid })}\n`);
setInterval(() => undefined, 60_000);
