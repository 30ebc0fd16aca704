import test from 'ava';
import { IDLE, type PersistedState } from '../../../src/agent/state.js';
import { checkpointFromEnv, freezeOnPersistFromEnv, PAUSE_AT_ENV } from '../../../src/agent/test-checkpoint.js';
import { silentLogger } from '../../../src/log/index.js';

// The freeze itself stops the event loop; kill-matrix.test.ts › killed in cleanup runs it in a child process.

test('HAWKBIT_RAUC_TEST_PAUSE_AT: an unknown point is refused, naming every known one', (t) => {
  const error = t.throws(() => checkpointFromEnv({ [PAUSE_AT_ENV]: 'before-install, persisted:nowhere' }, silentLogger()));
  t.regex(error!.message, /unknown checkpoint persisted:nowhere \(known: before-handover, before-install, after-install, persisted:idle, .*persisted:cleanup\)/);
  t.throws(() => freezeOnPersistFromEnv({ [PAUSE_AT_ENV]: 'cleanup' }), { message: /unknown checkpoint cleanup/ });
});

test('HAWKBIT_RAUC_TEST_PAUSE_AT: persisted:<phase> makes a persist hook only, installation points a checkpoint only', (t) => {
  t.is(checkpointFromEnv({}, silentLogger()), undefined);
  t.is(freezeOnPersistFromEnv({}), undefined);
  t.is(checkpointFromEnv({ [PAUSE_AT_ENV]: 'persisted:cleanup' }, silentLogger()), undefined);
  t.is(freezeOnPersistFromEnv({ [PAUSE_AT_ENV]: 'before-install' }), undefined);
  t.is(typeof checkpointFromEnv({ [PAUSE_AT_ENV]: 'before-install,persisted:cleanup' }, silentLogger()), 'function');
  const freeze = freezeOnPersistFromEnv({ [PAUSE_AT_ENV]: 'before-install,persisted:cleanup' });
  // Another phase passes straight through.
  freeze!({ schema: 1, phase: IDLE, visits: {}, updatedAt: new Date().toISOString() } as unknown as PersistedState);
  t.pass();
});
