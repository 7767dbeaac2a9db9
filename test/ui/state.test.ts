import assert from 'node:assert/strict';
import { BRIDGE_NETWORK, STARTED_SH } from './fixtures.js';
import { describe, it } from 'node:test';
import { initialPicker } from '../../src/ui/picker.js';
import { currentRun, initialState, isRunning, MEMORY_WINDOW_MS, uiReducer } from '../../src/ui/state.js';
import type { LiveStats, RunOptions } from '../../src/ui/types.js';

const OPTIONS: RunOptions = { rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '' };
const start = () => initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'picker');
const stats = (current: number, at = 0): LiveStats => ({
  memory: { current, peak: current, limit: 100, oomKills: 0 },
  pids: { current: 1, limit: 1024 },
  hostname: 'h',
  network: BRIDGE_NETWORK,
  at,
});

describe('ui reducer', () => {
  it('follows a run from request to exit', () => {
    let state = uiReducer(start(), { type: 'run-requested', options: OPTIONS, at: 10 });
    assert.equal(state.screen, 'run');
    assert.deepEqual(currentRun(state), {
      seq: 1,
      options: OPTIONS,
      phase: 'starting',
      id: null,
      hostPid: null,
      startedAt: 10,
      endedAt: null,
      status: null,
      killAt: null,
      started: null,
    });
    assert.equal(isRunning(state), true);
    state = uiReducer(state, { type: 'run-started', seq: 1, id: 'abc', hostPid: 7, started: STARTED_SH });
    assert.equal(currentRun(state)?.phase, 'running');
    assert.deepEqual(currentRun(state)?.started, STARTED_SH, 'how it started, for the container panel');
    state = uiReducer(state, { type: 'run-exited', seq: 1, status: { code: 0, signal: null, oomKilled: false, memory: null, error: null }, at: 20 });
    assert.equal(currentRun(state)?.phase, 'exited');
    assert.equal(currentRun(state)?.endedAt, 20);
    assert.equal(isRunning(state), false);
  });

  it('applies a late exit to its own run, not the next one', () => {
    let state = uiReducer(start(), { type: 'run-requested', options: OPTIONS, at: 0 });
    state = uiReducer(state, { type: 'run-requested', options: OPTIONS, at: 1 });
    state = uiReducer(state, {
      type: 'run-exited',
      seq: 1,
      status: { code: 137, signal: 'SIGKILL', oomKilled: false, memory: null, error: null },
      at: 2,
    });
    assert.equal(state.runs[0].phase, 'exited');
    assert.equal(state.runs[1].phase, 'starting');
  });

  it('keeps the memory samples of the last minute and the one before, for the current run only', () => {
    let state = uiReducer(start(), { type: 'run-requested', options: OPTIONS, at: 0 });
    // One sample every 10 s for 100 s: the one at 30 s still holds as the minute before 90 s begins.
    for (let at = 0; at <= 90_000; at += 10_000) state = uiReducer(state, { type: 'stats', seq: 1, stats: stats(at, at) });
    assert.equal(MEMORY_WINDOW_MS, 60_000);
    assert.deepEqual(
      state.memorySamples.map((sample) => sample.at),
      [30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000],
    );
    assert.deepEqual(state.memorySamples[0], { at: 30_000, value: 30_000 });
    // A sample long after the last: only that last one is kept before it.
    state = uiReducer(state, { type: 'stats', seq: 1, stats: stats(1, 500_000) });
    assert.deepEqual(
      state.memorySamples.map((sample) => sample.at),
      [90_000, 500_000],
    );
    assert.equal(uiReducer(state, { type: 'stats', seq: 9, stats: stats(1) }), state);
    state = uiReducer(state, { type: 'run-requested', options: OPTIONS, at: 1 });
    assert.deepEqual(state.memorySamples, []);
    assert.equal(state.stats, null);
  });
});
