import test from 'ava';
import { uuidV5 } from '../../../src/lib/uuid.js';

// RFC 9562 appendix A.4: "www.example.com" in the DNS namespace.
const DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

test('uuidV5 gives the RFC 9562 test vector', (t) => {
  t.is(uuidV5('www.example.com', DNS), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
});

test('uuidV5 is stable, name-dependent and carries version 5 and the RFC variant', (t) => {
  const a = uuidV5('action 1', DNS);
  t.is(uuidV5('action 1', DNS), a);
  t.not(uuidV5('action 2', DNS), a);
  t.regex(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('uuidV5 refuses a namespace that is not a UUID', (t) => {
  t.throws(() => uuidV5('x', 'not-a-uuid'), { message: 'not a UUID: not-a-uuid' });
});
