import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPanel } from '../../src/ui/components/MemoryPanel.js';
import { frameOf } from './fixtures.js';

const MiB = 1024 * 1024;

test('usage against the limit: bar, percent, sizes, peak, OOM kills, sparkline', () => {
  const memory = { current: 64 * MiB, peak: 80 * MiB, limit: 100 * MiB, oomKills: 1 };
  // Inner width 26: a bar of 19 cells, 64% of them filled.
  const frame = frameOf(<MemoryPanel memory={memory} history={[0, 50 * MiB, 100 * MiB]} width={30} />);
  assert.match(frame, /Memory/);
  assert.match(frame, /\[█{12}░{7}\] 64%/);
  assert.match(frame, /64\.0 MiB \/ 100\.0 MiB/);
  assert.match(frame, /peak 80\.0 MiB/);
  assert.match(frame, /OOM kills: 1/);
  // Scaled to the limit, not to the history's maximum.
  assert.match(frame, /▁▅█/);
});

test('the bar grows with the panel width', () => {
  const memory = { current: 50 * MiB, peak: null, limit: 100 * MiB, oomKills: 0 };
  const frame = frameOf(<MemoryPanel memory={memory} history={[]} width={50} />);
  assert.match(frame, /\[█{20}░{19}\] 50%/);
  assert.match(frame, /peak —/);
  assert.match(frame, /OOM kills: 0/);
  assert.match(frame, /no samples yet/);
});

test('without a limit: no percent, sparkline scaled to its own maximum', () => {
  const memory = { current: 10 * MiB, peak: 20 * MiB, limit: null, oomKills: 0 };
  const frame = frameOf(<MemoryPanel memory={memory} history={[5 * MiB, 10 * MiB]} width={30} />);
  assert.match(frame, /10\.0 MiB \/ no limit/);
  assert.doesNotMatch(frame, /%/);
  assert.match(frame, /\[█+░+\]/);
  assert.match(frame, /▅█/);
});

test('only the last samples that fit are drawn', () => {
  const memory = { current: 1, peak: null, limit: 8, oomKills: 0 };
  const history = [...Array<number>(100).fill(8), ...Array<number>(26).fill(0)];
  const frame = frameOf(<MemoryPanel memory={memory} history={history} width={30} />);
  assert.match(frame, /▁{26}/);
  assert.doesNotMatch(frame, /█▁/);
});

test('no memory cgroup, and no reading yet', () => {
  assert.match(frameOf(<MemoryPanel memory={null} history={[]} width={30} />), /no memory cgroup/);
  assert.match(frameOf(<MemoryPanel memory={undefined} history={[]} width={30} />), /│ —/);
});
