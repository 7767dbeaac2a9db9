import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SidePanels, sidePanelsLayout } from '../../src/ui/components/SidePanels.js';
import type { LiveStats, RunRecord } from '../../src/ui/types.js';
import { BRIDGE_NETWORK, frameOf } from './fixtures.js';

const T0 = 1_700_000_000_000;
const MiB = 1024 * 1024;

function makeRun(seq: number, exited: boolean): RunRecord {
  return {
    seq,
    options: { rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: 'lab1' },
    phase: exited ? 'exited' : 'running',
    id: `c${seq}`,
    hostPid: 4000 + seq,
    startedAt: T0,
    endedAt: exited ? T0 + 2000 : null,
    status: exited
      ? { code: 137, signal: 'SIGKILL', oomKilled: true, memory: null, error: 'killed by the OOM killer after using more than its limit' }
      : null,
    killAt: null,
    started: null,
  };
}

const runs = [makeRun(1, true), makeRun(2, true), makeRun(3, false)];
const stats: LiveStats = {
  memory: { current: 64 * MiB, peak: 70 * MiB, limit: 100 * MiB, oomKills: 0 },
  pids: { current: 3, limit: 1024 },
  hostname: 'lab1',
  network: BRIDGE_NETWORK,
  at: T0 + 10_000,
};

const panels = (height: number, run: RunRecord = runs[2]!): string =>
  frameOf(
    <SidePanels
      run={run}
      runs={runs}
      selectedHistory={null}
      stats={stats}
      memorySamples={[
        { at: T0, value: 60 * MiB },
        { at: T0 + 5000, value: 64 * MiB },
      ]}
      hostHostname="build-07"
      now={T0 + 10_000}
      width={32}
      height={height}
    />,
  );

test('with room, every panel is shown, history included', () => {
  const frame = panels(46);
  for (const text of [
    /Container/,
    /host PID 4003/,
    /inside: lab1/,
    /host: {3}build-07/,
    /64\.0 MiB \/ 100\.0 MiB/,
    /processes: 3 \/ 1024/,
    /Network bridge/,
    /10\.88\.0\.7\/24 gw 10\.88\.0\.1/,
    /running…/,
    /History/,
    /#3 …/,
    /#1 ✗ 137 OOM/,
  ]) {
    assert.match(frame, text);
  }
  // As tall as its panels (fixed 25, network 6, exit 7), the history with a row per run: Ink draws no empty rows.
  assert.equal(frame.split('\n').length, 25 + 6 + 7 + 3 + runs.length);
  assert.equal(panels(20).split('\n').length, 20, 'cut to the height of a very short terminal');
});

test('a run too short for any poll shows its peak, limit and OOM kills from its exit status', () => {
  const [run] = runs;
  const brief: RunRecord = { ...run!, endedAt: T0 + 4, status: { ...run!.status!, memory: { peak: 99 * MiB, limit: 100 * MiB, oomKills: 1 } } };
  const frame = frameOf(
    <SidePanels
      run={brief}
      runs={[brief]}
      selectedHistory={null}
      stats={null}
      memorySamples={[]}
      hostHostname="h"
      now={T0 + 10}
      width={32}
      height={40}
    />,
  );
  assert.match(frame, /limit 100\.0 MiB/);
  assert.match(frame, /peak 99\.0 MiB/);
  assert.match(frame, /OOM kills: 1/);
});

test('a short column drops the network panel first, then the history, then the exit error lines', () => {
  const noNetwork = panels(40, runs[0]!);
  assert.doesNotMatch(noNetwork, /Network/);
  assert.match(noNetwork, /History/);
  const noHistory = panels(32, runs[0]!);
  assert.doesNotMatch(noHistory, /History/);
  assert.match(noHistory, /killed by the OOM/);
  const compact = panels(29, runs[0]!);
  assert.doesNotMatch(compact, /History/);
  assert.doesNotMatch(compact, /killed by the OOM/);
  assert.match(compact, /exit code 137/);
  assert.match(compact, /OOM-killed/);
});

test('layout: history rows grow with the height', () => {
  // Fixed panels 8 + 5 + 8 + 4 = 25 rows, network 6, exit 7 (5 compact), history 3 + its rows.
  assert.deepEqual(sidePanelsLayout(42), { historyRows: 1, network: true, compactExit: false, clipped: false });
  assert.deepEqual(sidePanelsLayout(51), { historyRows: 10, network: true, compactExit: false, clipped: false });
  // Short of a history row beside it, the network panel gives its rows to the history.
  assert.deepEqual(sidePanelsLayout(41), { historyRows: 6, network: false, compactExit: false, clipped: false });
  assert.deepEqual(sidePanelsLayout(36), { historyRows: 1, network: false, compactExit: false, clipped: false });
  assert.deepEqual(sidePanelsLayout(35), { historyRows: 0, network: false, compactExit: false, clipped: false });
  assert.deepEqual(sidePanelsLayout(32), { historyRows: 0, network: false, compactExit: false, clipped: false });
  assert.deepEqual(sidePanelsLayout(31), { historyRows: 0, network: false, compactExit: true, clipped: false });
  assert.deepEqual(sidePanelsLayout(29), { historyRows: 0, network: false, compactExit: true, clipped: true });
});

test('before the first poll and without a run', () => {
  const frame = frameOf(
    <SidePanels
      run={null}
      runs={[]}
      selectedHistory={null}
      stats={null}
      memorySamples={[]}
      hostHostname="build-07"
      now={T0}
      width={32}
      height={46}
    />,
  );
  assert.match(frame, /no container yet/);
  assert.match(frame, /inside: —/);
  assert.match(frame, /processes: —/);
  assert.match(frame, /Network\s+│\n│ —/);
  assert.match(frame, /no runs yet/);
});
