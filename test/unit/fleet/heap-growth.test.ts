import test from 'ava';
import { HeapGrowthBound } from '../../../src/fleet/heap-growth.js';

test('the heap growth is bounded while devices update and left to V8 when they are idle again', (t) => {
  const heap = new HeapGrowthBound(100);
  t.false(heap.bounded);
  heap.busy(true);
  heap.busy(true);
  t.true(heap.bounded);
  heap.busy(false);
  t.false(heap.bounded);
});
