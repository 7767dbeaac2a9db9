import assert from 'node:assert/strict';
import { STARTED_SH } from './fixtures.js';
import { describe, it } from 'node:test';
import { layoutFor, SIDE_WIDTH } from '../../src/ui/layout.js';
import { paneViewOf } from '../../src/ui/paneView.js';
import { initialPicker } from '../../src/ui/picker.js';
import { initialState, uiReducer } from '../../src/ui/state.js';

const options = { rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '' };

describe('pane view', () => {
  const base = initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'run');
  const running = uiReducer(uiReducer(base, { type: 'run-requested', options, at: 0 }), {
    type: 'run-started',
    seq: 1,
    id: 'abc',
    hostPid: 9,
    started: STARTED_SH,
  });

  it('places the pane right of the panels, focused while the container takes the keys', () => {
    const { footer, ...view } = paneViewOf(running, layoutFor(120, 40))!;
    assert.deepEqual(view, {
      title: '#1 abc /bin/sh · default',
      focused: true,
      screen: null,
      top: 1,
      left: SIDE_WIDTH + 1,
      width: 120 - SIDE_WIDTH,
      height: 38,
      footerRow: 39,
      cols: 120,
    });
    assert.match(footer.map((part) => part.text).join(''), /keys go to the container/);
    assert.equal(paneViewOf(uiReducer(running, { type: 'prefix', armed: true }), layoutFor(120, 40))?.focused, false);
  });

  it('goes under the status bar on a narrow terminal, full width', () => {
    const { footer: _, ...view } = paneViewOf(running, layoutFor(80, 24))!;
    assert.deepEqual(view, {
      title: '#1 abc /bin/sh · default',
      focused: true,
      screen: null,
      top: 2,
      left: 1,
      width: 80,
      height: 21,
      footerRow: 23,
      cols: 80,
    });
  });

  it('shows a past run picked in the history with its last screen, not focused, its title saying whose screen it is', () => {
    const exited = uiReducer(running, {
      type: 'run-exited',
      seq: 1,
      status: { code: 0, signal: null, oomKilled: false, memory: null, error: null },
      at: 1,
    });
    const twoRuns = uiReducer(uiReducer(exited, { type: 'run-requested', options, at: 2 }), {
      type: 'run-started',
      seq: 2,
      id: 'def',
      hostPid: 10,
      started: STARTED_SH,
    });
    const picked = uiReducer(twoRuns, { type: 'select-history', delta: -1 });
    const screen = { lines: [{ runs: [{ text: 'bye' }], columns: 3, key: 'bye' }], cursor: { x: 0, y: 0, visible: false } };
    const view = paneViewOf(picked, layoutFor(120, 40), { lastScreen: (seq) => (seq === 1 ? screen : null), execScreen: () => null })!;
    assert.equal(view.screen, screen);
    assert.equal(view.focused, false);
    assert.equal(view.title, '#1 abc /bin/sh · default · its last screen (↓ back)');
    assert.equal(
      paneViewOf(uiReducer(picked, { type: 'select-history', delta: 1 }), layoutFor(120, 40), { lastScreen: () => screen, execScreen: () => null })!
        .screen,
      null,
      '↓: the live screen again',
    );
  });

  it('is hidden behind the picker, the help and a terminal too small', () => {
    assert.equal(paneViewOf(uiReducer(running, { type: 'screen', screen: 'picker' }), layoutFor(120, 40)), null);
    assert.equal(paneViewOf(uiReducer(running, { type: 'overlay', overlay: 'help' }), layoutFor(120, 40)), null);
    assert.equal(paneViewOf(running, layoutFor(50, 10)), null);
  });
});
