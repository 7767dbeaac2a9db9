import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { TerminalPane } from '../../src/ui/components/TerminalPane.js';

describe('TerminalPane', () => {
  it('draws a titled border with a blank inside for the pane painter', () => {
    const { lastFrame } = render(<TerminalPane title="#1 abc /bin/sh" width={30} height={4} focused />);
    const lines = lastFrame()!.split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0], /^╭.*#1 abc \/bin\/sh.*╮$/);
    assert.equal(lines[1], `│${' '.repeat(28)}│`);
    assert.match(lines[3], /^╰─+╯$/);
  });

  it('cuts a long title to the pane', () => {
    const { lastFrame } = render(<TerminalPane title={'x'.repeat(80)} width={20} height={3} focused={false} />);
    assert.ok(lastFrame()!.split('\n').every((line) => line.length <= 20), lastFrame());
  });
});
