import test from 'ava';
import fc from 'fast-check';
import { http, HttpResponse } from 'msw';
import { DdiClient, isDdiProtocolError } from '../../../src/ddi/index.js';
import { ddiBodyText, FUZZ_BASE, FUZZ_HOST, type ResourceKind } from '../../helpers/ddi-arbitraries.js';
import { propertyParams } from '../../helpers/property.js';
import { RawLog, TOKEN, useMsw } from './msw-harness.js';

const server = useMsw(test);

/** The body the fake answers for each resource in the current run. */
let bodies: Record<ResourceKind, string>;

/** Which resource a request is for, from the path (every host is claimed: mutated hrefs point anywhere). */
function kindOf(path: string): ResourceKind {
  if (/\/deploymentBase\/|\/installedBase\//.test(path)) return 'deployment';
  if (/\/cancelAction\//.test(path)) return 'cancel';
  if (/\/confirmationBase\/[^/]+/.test(path)) return 'confirmation';
  if (/\/confirmationBase$/.test(path)) return 'autoConfirm';
  return 'base';
}

test.before(() => {
  server.use(http.get(/.*/, ({ request }) =>
    new HttpResponse(bodies[kindOf(new URL(request.url).pathname)], { headers: { 'content-type': 'application/hal+json' } })));
});

const soundBase = fc.subarray(['deploymentBase', 'cancelAction', 'confirmationBase', 'installedBase'], { minLength: 1 }).map((names) =>
  JSON.stringify({ config: { polling: { sleep: '00:00:05' } }, _links: Object.fromEntries(names.map((name) => [name, { href: `${FUZZ_BASE}/${name}/7?c=1` }])) }));

/** Awaits `call`; true when it resolved or failed with a DdiProtocolError. Any other outcome fails the property. */
async function typed(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (isDdiProtocolError(error)) return true;
    throw error;
  }
}

test('property: the client turns any server JSON into typed results or a DdiProtocolError, following every handle', async (t) => {
  const log = new RawLog();
  const bodiesArbitrary = fc.record({
    // Mostly a sound base, so that the handles are made and followed into the fuzzed resources.
    base: fc.oneof({ weight: 3, arbitrary: soundBase }, ddiBodyText('base')),
    deployment: ddiBodyText('deployment'),
    cancel: ddiBodyText('cancel'),
    confirmation: ddiBodyText('confirmation'),
    autoConfirm: ddiBodyText('autoConfirm'),
  });
  await fc.assert(
    fc.asyncProperty(bodiesArbitrary, async (next) => {
      bodies = next;
      const client = new DdiClient({
        server: FUZZ_HOST, ssl: false, tenant: 'DEFAULT', controllerId: 'dev-1', auth: { kind: 'target-token', token: TOKEN }, log, retry: { retries: 0 },
      });
      let ok = await typed(() => client.autoConfirmState());
      ok &&= await typed(async () => {
        const poll = await client.poll();
        for (const handle of [poll.deployment, poll.cancel, poll.confirmation, poll.installed]) {
          if (handle !== undefined) ok &&= await typed(() => handle.fetch({ actionHistory: 3 }));
        }
      });
      return ok;
    }),
    propertyParams(100),
  );
  for (const line of log.lines) t.false(line.includes(TOKEN), line);
});
