import test from 'ava';
import { decideMetadataCompatible } from '../../../../src/agent/policy/metadata-compatible.js';

const proceed = { verdict: 'proceed' as const, install: [], record: [] };
const announced = [{ filename: 'a.raucb', label: 'rootfs 2.0', compatible: 'Board A' }];

test('no bundle names a compatible: the decision is unchanged', (t) => {
  t.is(decideMetadataCompatible(proceed, [], { kind: 'known', compatible: 'Board A' }, 'rauc.compatible'), proceed);
});

test('RAUC\'s compatible unreadable: a warning, the action proceeds (the check after the download stays)', (t) => {
  const decision = decideMetadataCompatible(proceed, announced, { kind: 'unreadable', reason: 'no RAUC' }, 'rauc.compatible');
  t.is(decision.verdict, 'proceed');
  t.deepEqual(decision.record, [{ warning: true, text: "Compatible from the metadata 'rauc.compatible' not checked before the download: RAUC's compatible could not be read (no RAUC)" }]);
});

test('one mismatch among several refuses the whole action with 2003, naming both sides; exact match only', (t) => {
  const decision = decideMetadataCompatible(
    proceed,
    [...announced, { filename: 'b.raucb', label: 'app 1.0', compatible: 'board a' }],
    { kind: 'known', compatible: 'Board A' },
    'rauc.compatible',
  );
  t.like(decision, { verdict: 'refuse', code: 2003, install: [] });
  t.is((decision as { summary: string }).summary, "Incompatible bundle, nothing downloaded: b.raucb (app 1.0) is for 'board a' (chunk metadata 'rauc.compatible'), but this device is 'Board A' (RAUC's compatible)");
});
