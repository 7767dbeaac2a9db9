import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { PromptLine } from '../../src/ui/components/PromptLine.js';

describe('PromptLine', () => {
  it('shows a question, or a field with its value', () => {
    assert.equal(render(<PromptLine label="quit? (y/n)" width={40} />).lastFrame(), 'quit? (y/n)');
    // The cursor after the value is an inverted space.
    assert.match(render(<PromptLine label="command:" value="ls -l" width={40} />).lastFrame()!, /^command: ls -l/);
  });
});
