import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialPicker } from '../../src/ui/picker.js';
import { currentRun, initialState, isRunning, MEMORY_HISTORY_LENGTH, uiReducer } from '../../src/ui/state.js';
import type { LiveStats, RunOptions } from '../../src/ui/types.js';

const OPTIONS: RunOptions = { rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '' };
const start = () => initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'picker');
const stats = (current: number): LiveStats => ({
  memory: { current, peak: current, limit: 100, oomKills: 0 },
  pids: { current: 1, limit: 1024 },
  hostname: 'h',
  at: 0,
});

describe('ui reducer', () => {
  it('follows a run from request to exit', () => {
    let state = uiReducer(start(), { type: 'run-requested', options: OPTIONS, at: 10 });
    assert.equal(state.screen, 'run');
    assert.deepEqual(currentRun(state), {
      seq: 1, options: OPTIONS, phase: 'starting', id: null, hostPid: null, startedAt: 10, endedAt: null, status: null,
    });
    assert.equal(isRunning(state), true);
    state = uiReducer(state, { type: 'run-started', seq: 1, id: 'abc', hostPid: 7 });
    assert.equal(currentRun(state)?.phase, 'running');
    state = uiReducer(state, { type: 'run-exited', seq: 1, status: { code: 0, signal: null, oomKilled: false, error: null }, at: 20 });
    assert.equal(currentRun(state)?.phase, 'exited');
    assert.equal(currentRun(state)?.endedAt, 20);
    assert.equal(isRunning(state), false);
  });

  it('applies a late exit to its own run, not the next one', () => {
    let state = uiReducer(start(), { type: 'run-requested', options: OPTIONS, at: 0 });
    state = uiReducer(state, { type: 'run-requested', options: OPTIONS, at: 1 });
    state = uiReducer(state, { type: 'run-exited', seq: 1, status: { code: 137, signal: 'SIGKILL', oomKilled: false, error: null }, at: 2 });
    assert.equal(state.runs[0].phase, 'exited');
    assert.equal(state.runs[1].phase, 'starting');
  });

  it('keeps a minute of memory samples, for the current run only', () => {
    let state = uiReducer(start(), { type: 'run-requested', options: OPTIONS, at: 0 });
    for (let i = 0; i < MEMORY_HISTORY_LENGTH + 5; i++) state = uiReducer(state, { type: 'stats', seq: 1, stats: stats(i) });
    assert.equal(state.memoryHistory.length, MEMORY_HISTORY_LENGTH);
    assert.equal(state.memoryHistory[0], 5);
    assert.equal(uiReducer(state, { type: 'stats', seq: 9, stats: stats(1) }), state);
    state = uiReducer(state, { type: 'run-requested', options: OPTIONS, at: 1 });
    assert.deepEqual(state.memoryHistory, []);
    assert.equal(state.stats, null);
  });
});
