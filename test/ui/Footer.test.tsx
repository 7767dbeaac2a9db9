import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { Footer } from '../../src/ui/components/Footer.js';
import { PREFIX_LABEL } from '../../src/ui/keymap.js';

describe('Footer', () => {
  it('shows the prefix key while keys go to the container', () => {
    const { lastFrame } = render(<Footer mode="passthrough" width={100} />);
    assert.match(lastFrame()!, new RegExp(`keys go to the container · ${PREFIX_LABEL.replace(/[\]]/g, '\\$&')} then a command key`));
  });

  it('lists the command keys after the prefix and once exited', () => {
    for (const mode of ['prefix', 'commands'] as const) {
      const frame = render(<Footer mode={mode} width={100} />).lastFrame()!;
      for (const text of ['r re-run', 'e edit', 'k stop', 'n new', '? help', 'q quit']) assert.ok(frame.includes(text), `${mode}: ${text}`);
    }
  });

  it('shows how to leave a prompt or the picker', () => {
    assert.match(render(<Footer mode="prompt" width={100} />).lastFrame()!, /Enter confirm · Esc cancel/);
    assert.match(render(<Footer mode="picker" width={100} />).lastFrame()!, /Enter start/);
  });
});
