import test from 'ava';

// The package refers to itself through its `exports` map, as a consumer would (needs `npm run build`).
test('every library entry point resolves from the built package', async (t) => {
  const agent = (await import('hawkbit-rauc/agent')) as Record<string, unknown>;
  t.is(typeof agent.createAgent, 'function');
  t.is(typeof agent.Agent, 'function');
  t.is(typeof agent.StateStore, 'function');
  for (const entry of ['ddi', 'config', 'log', 'download', 'rauc']) {
    const module = (await import(`hawkbit-rauc/${entry}`)) as Record<string, unknown>;
    t.true(Object.keys(module).length > 0, entry);
  }
});
