import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutFor, SIDE_WIDTH } from '../../src/ui/layout.js';
import { paneViewOf } from '../../src/ui/paneView.js';
import { initialPicker } from '../../src/ui/picker.js';
import { initialState, uiReducer } from '../../src/ui/state.js';

const options = { rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '' };

describe('pane view', () => {
  const base = initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'run');
  const running = uiReducer(uiReducer(base, { type: 'run-requested', options, at: 0 }), { type: 'run-started', seq: 1, id: 'abc', hostPid: 9 });

  it('places the pane right of the panels, focused while the container takes the keys', () => {
    assert.deepEqual(paneViewOf(running, layoutFor(120, 40)), {
      title: '#1 abc /bin/sh', focused: true, left: SIDE_WIDTH + 1, width: 120 - SIDE_WIDTH, height: 38,
    });
    assert.equal(paneViewOf(uiReducer(running, { type: 'prefix', armed: true }), layoutFor(120, 40))?.focused, false);
  });

  it('is hidden behind the picker, the help and a terminal too small', () => {
    assert.equal(paneViewOf(uiReducer(running, { type: 'screen', screen: 'picker' }), layoutFor(120, 40)), null);
    assert.equal(paneViewOf(uiReducer(running, { type: 'overlay', overlay: 'help' }), layoutFor(120, 40)), null);
    assert.equal(paneViewOf(running, layoutFor(50, 10)), null);
  });
});
