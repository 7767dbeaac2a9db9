import assert from 'node:assert/strict';
import { STARTED_SH } from './fixtures.js';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { Footer } from '../../src/ui/components/Footer.js';
import { footerParts } from '../../src/ui/footer.js';
import { initialPicker } from '../../src/ui/picker.js';
import { initialState, uiReducer, type UiState } from '../../src/ui/state.js';

const options = { rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '' };
const base = initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'run');
const running = uiReducer(uiReducer(base, { type: 'run-requested', options, at: 0 }), {
  type: 'run-started',
  seq: 1,
  id: 'a',
  hostPid: 1,
  started: STARTED_SH,
});
const exited = uiReducer(running, {
  type: 'run-exited',
  seq: 1,
  status: { code: 0, signal: null, oomKilled: false, memory: null, error: null },
  at: 1,
});
const text = (state: UiState) =>
  footerParts(state)
    .map((p) => p.text)
    .join('');

describe('footer', () => {
  it('shows the prefix key while keys go to the container', () => {
    assert.equal(text(running), 'keys go to the container · Ctrl-] then a command key (? for all)  ');
  });

  it('lists the command keys after the prefix and once exited', () => {
    for (const state of [uiReducer(running, { type: 'prefix', armed: true }), exited]) {
      for (const part of ['r re-run', 'e edit', 'k stop', 'n new', '? help', 'q quit']) assert.ok(text(state).includes(part), part);
    }
  });

  it('asks before quitting, shows the command being edited, and how to leave the picker', () => {
    assert.match(text(uiReducer(running, { type: 'overlay', overlay: 'confirm-quit' })), /stop it and quit\? \(y\/n\)/);
    const editing = uiReducer(uiReducer(exited, { type: 'edit-line', line: { text: 'ls -l', cursor: 5 } }), {
      type: 'overlay',
      overlay: 'edit-command',
    });
    assert.deepEqual(
      footerParts(editing).filter((part) => part.style === 'cursor'),
      [{ text: ' ', style: 'cursor' }],
    );
    assert.match(text(editing), /^command: ls -l/);
    const midLine = uiReducer(editing, { type: 'edit-line', line: { text: 'ls -l', cursor: 1 } });
    assert.deepEqual(
      footerParts(midLine).filter((part) => part.style === 'cursor'),
      [{ text: 's', style: 'cursor' }],
      'the cursor on the character it is before',
    );
    assert.match(text(uiReducer(exited, { type: 'screen', screen: 'picker' })), /Enter start/);
  });

  it('is drawn by Ink as one line, cut to the width', () => {
    const frame = render(<Footer parts={footerParts(exited)} width={30} />).lastFrame()!;
    assert.equal(frame.split('\n').length, 1);
    assert.ok(frame.length <= 30 && frame.startsWith('r re-run'), frame);
  });
});
