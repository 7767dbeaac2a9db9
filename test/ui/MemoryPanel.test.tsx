import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPanel } from '../../src/ui/components/MemoryPanel.js';
import { frameOf, T0 } from './fixtures.js';

const MiB = 1024 * 1024;
/** Samples one second apart, the last one at T0. */
const secondly = (values: number[]) => values.map((value, i) => ({ at: T0 - (values.length - 1 - i) * 1000, value }));

test('usage against the limit: bar, percent, sizes, peak, OOM kills, sparkline', () => {
  const memory = { current: 64 * MiB, peak: 80 * MiB, limit: 100 * MiB, oomKills: 1 };
  // Inner width 26: a bar of 19 cells, 64% of them filled; a sparkline of 26 slices of the minute.
  const samples = [
    { at: T0 - 5000, value: 0 },
    { at: T0 - 2500, value: 50 * MiB },
    { at: T0 - 100, value: 100 * MiB },
  ];
  const frame = frameOf(<MemoryPanel memory={memory} samples={samples} now={T0} endedAt={null} width={30} />);
  assert.match(frame, /Memory/);
  assert.match(frame, /\[█{12}░{7}\] 64%/);
  assert.match(frame, /64\.0 MiB \/ 100\.0 MiB/);
  assert.match(frame, /peak 80\.0 MiB/);
  assert.match(frame, /OOM kills: 1/);
  // Scaled to the limit, not to the samples' maximum; blank before the first sample.
  assert.match(frame, /│ {24}▁▅█ │/);
});

test('the bar grows with the panel width', () => {
  const memory = { current: 50 * MiB, peak: null, limit: 100 * MiB, oomKills: 0 };
  const frame = frameOf(<MemoryPanel memory={memory} samples={[]} now={T0} endedAt={null} width={50} />);
  assert.match(frame, /\[█{20}░{19}\] 50%/);
  assert.match(frame, /peak —/);
  assert.match(frame, /OOM kills: 0/);
  assert.match(frame, /no samples yet/);
});

test('without a limit: no percent, sparkline scaled to its own maximum', () => {
  const memory = { current: 10 * MiB, peak: 20 * MiB, limit: null, oomKills: 0 };
  const frame = frameOf(
    <MemoryPanel memory={memory} samples={secondly([5 * MiB, 10 * MiB, 10 * MiB, 10 * MiB])} now={T0} endedAt={null} width={30} />,
  );
  assert.match(frame, /10\.0 MiB \/ no limit/);
  assert.doesNotMatch(frame, /%/);
  assert.match(frame, /\[█+░+\]/);
  assert.match(frame, /▅█ │/);
});

test('only the last minute is drawn, and a value holds until it changes', () => {
  const memory = { current: 0, peak: null, limit: 8, oomKills: 0 };
  const samples = [
    { at: T0 - 100_000, value: 8 },
    { at: T0 - 61_000, value: 0 },
  ];
  const frame = frameOf(<MemoryPanel memory={memory} samples={samples} now={T0} endedAt={null} width={30} />);
  assert.match(frame, /│ ▁{26} │/);
  assert.doesNotMatch(frame, /█/);
});

test('the sparkline stops where the run ended', () => {
  const memory = { current: 8, peak: null, limit: 8, oomKills: 0 };
  const samples = [{ at: T0 - 10_000, value: 8 }];
  const atEnd = frameOf(<MemoryPanel memory={memory} samples={samples} now={T0} endedAt={T0} width={30} />);
  assert.match(atEnd, /│ {22}█{5} │/);
  assert.equal(frameOf(<MemoryPanel memory={memory} samples={samples} now={T0 + 30_000} endedAt={T0} width={30} />), atEnd);
  assert.match(
    frameOf(<MemoryPanel memory={memory} samples={samples} now={T0 + 30_000} endedAt={null} width={30} />),
    /│ {9}█{18} │/,
    'a running one moves on',
  );
});

test('no memory cgroup, and no reading yet', () => {
  assert.match(frameOf(<MemoryPanel memory={null} samples={[]} now={T0} endedAt={null} width={30} />), /no memory cgroup/);
  assert.match(frameOf(<MemoryPanel memory={undefined} samples={[]} now={T0} endedAt={null} width={30} />), /│ —/);
});

test('once the run has ended, no figure looks live: the limit, its peak and OOM kills', () => {
  const memory = { current: 27.3 * MiB, peak: 50 * MiB, limit: 50 * MiB, oomKills: 2 };
  const frame = frameOf(<MemoryPanel memory={memory} samples={secondly([27.3 * MiB])} now={T0} endedAt={T0} width={30} />);
  assert.doesNotMatch(frame, /27\.3 MiB|%/, frame);
  assert.match(frame, /ended: nothing in use now/);
  assert.match(frame, /limit 50\.0 MiB/);
  assert.match(frame, /peak 50\.0 MiB/);
  assert.match(frame, /OOM kills: 2/);
});
