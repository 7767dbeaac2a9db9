import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { HelpOverlay } from '../../src/ui/components/HelpOverlay.js';
import { BINDINGS } from '../../src/ui/keymap.js';

describe('HelpOverlay', () => {
  it('lists every binding with its description', () => {
    const frame = render(<HelpOverlay width={100} height={24} />).lastFrame()!;
    for (const binding of BINDINGS) assert.ok(frame.includes(binding.description), binding.description);
    assert.match(frame, /Ctrl-C always goes to the container/);
  });
});
