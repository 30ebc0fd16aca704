import { get } from 'node:http';
import test from 'ava';
import { FakeHawkbit, type RecordedRequest } from '../../fakes/hawkbit/index.js';

const TOKEN = 'random-faults-token-31';

/** One plain GET (no client retries): the status, or the socket error's code. */
function fetchStatus(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const request = get(url, { headers: { authorization: `TargetToken ${TOKEN}` }, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** A random source that plays back `values` in a loop. */
function sequence(...values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length]!;
}

test('random faults: resets, 503s and slow answers by their rates; counted; off again; onRequest sees every request', async (t) => {
  const seen: RecordedRequest[] = [];
  const hb = await FakeHawkbit.start({ pollingSleep: '00:00:01', onRequest: (request) => seen.push(request) });
  t.teardown(() => hb.close());
  hb.addTarget('dev-r', { token: TOKEN });
  const base = `${hb.url}/${hb.tenant}/controller/v1/dev-r`;

  // Draws per request: slow? (and its delay if slow), then reset/error/answer.
  hb.setRandomFaults({ resetRate: 0.25, errorRate: 0.25, slowRate: 0.5, slowMs: [20, 20], random: sequence(0.9, 0.1, 0.9, 0.3, 0.1, 0, 0.9) });
  t.is(await fetchStatus(base), 'ECONNRESET');
  t.is(await fetchStatus(base), 503);
  t.is(await fetchStatus(base), 200); // slow (20 ms), then answered
  t.deepEqual(hb.randomFaultCounts, { resets: 1, errors: 1, slow: 1 });

  hb.setRandomFaults({ errorRate: 1, errorStatus: 500, match: /configData$/ });
  t.is(await fetchStatus(base), 200);
  t.is(await fetchStatus(`${base}/configData`), 500);
  t.deepEqual(hb.randomFaultCounts, { resets: 0, errors: 1, slow: 0 });

  hb.setRandomFaults(undefined);
  t.is(await fetchStatus(`${base}/configData`), 404); // GET configData is not a DDI resource
  t.deepEqual(hb.randomFaultCounts, { resets: 0, errors: 0, slow: 0 });
  t.is(seen.length, 6);
  t.is(seen.length, hb.requests.length);
  t.throws(() => hb.setRandomFaults({ resetRate: 0.6, errorRate: 0.6 }), { instanceOf: RangeError });
});
