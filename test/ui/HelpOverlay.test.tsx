import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { HelpOverlay } from '../../src/ui/components/HelpOverlay.js';
import { BINDINGS } from '../../src/ui/keymap.js';

describe('HelpOverlay', () => {
  it('lists every binding with its description', () => {
    const frame = render(<HelpOverlay width={100} height={40} />).lastFrame()!;
    for (const binding of BINDINGS) assert.ok(frame.includes(binding.description), binding.description);
    // A short terminal gets two columns: every key is still there.
    const short = render(<HelpOverlay width={160} height={20} />).lastFrame()!;
    assert.ok(short.split('\n').length <= 20, short);
    for (const binding of BINDINGS)
      assert.match(short, new RegExp(`${binding.label.replace(/[[\]?]/g, '\\$&')} +${binding.description.slice(0, 12).replace(/[()?]/g, '\\$&')}`));
    assert.match(frame, /Ctrl-C always goes to the container/);
    assert.match(frame, /Mouse: wheel scrolls, drag copies \(Shift: your terminal's own selection\)/);
  });

  it('at 80×24, two columns with a gap: a description cut short never runs into the next key', () => {
    const frame = render(<HelpOverlay width={80} height={22} />).lastFrame()!;
    const rows = frame.split('\n');
    assert.ok(rows.length <= 22, frame);
    const runTogether = rows.filter((row) => /…( ?)\S/.test(row) || /[a-z]{2}[A-Z?]/.test(row.replace(/Ctrl-[A-Z\]]/g, '')));
    assert.deepEqual(runTogether, [], frame);
  });
});
