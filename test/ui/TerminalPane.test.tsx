import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { TerminalPane } from '../../src/ui/components/TerminalPane.js';
import type { ScreenSnapshot } from '../../src/ui/services/screen.js';

const screen = (lines: string[]): ScreenSnapshot => ({
  lines: lines.map((text) => ({ runs: [{ text }, { text: 'X', color: 'ansi256(1)' }], key: text })),
  cursor: { x: 0, y: 0, visible: false },
});

describe('TerminalPane', () => {
  it('draws every line of the screen inside a titled border', () => {
    const { lastFrame } = render(<TerminalPane screen={screen(['# echo hi', 'hi'])} title="#1 abc /bin/sh" width={30} height={4} focused />);
    const lines = lastFrame()!.split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0], /#1 abc \/bin\/sh/);
    assert.match(lines[1], /^│# echo hiX/);
    assert.match(lines[2], /^│hiX/);
    assert.match(lines[3], /^╰/);
  });

  it('cuts lines longer than the pane instead of wrapping them', () => {
    const { lastFrame } = render(<TerminalPane screen={screen(['a'.repeat(50)])} title="t" width={12} height={3} focused={false} />);
    const lines = lastFrame()!.split('\n');
    assert.equal(lines.length, 3);
    assert.ok(lines.every((line) => line.length <= 12), lastFrame());
  });
});
