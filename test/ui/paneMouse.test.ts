import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PtyContainer } from '../../src/runtime/container.js';
import type { MouseReport } from '../../src/ui/input.js';
import type { PaneView } from '../../src/ui/services/panePainter.js';
import { handlePaneMouse, WHEEL_LINES } from '../../src/ui/services/paneMouse.js';
import { TerminalSession } from '../../src/ui/services/terminalSession.js';

/** A pane at column 35, row 1, 22 wide and 7 high: 20×5 inside, from terminal cell (36, 2). */
const VIEW: PaneView = { title: 't', focused: true, screen: null, top: 1, left: 35, width: 22, height: 7, footer: [], footerRow: 8, cols: 60 };

/** A session showing what `output` writes, and what is typed into it. */
async function sessionWith(output: string) {
  const session = new TerminalSession(20, 5);
  const typed: string[] = [];
  let emit: (data: Buffer) => void = () => {};
  const fake = {
    onData: (listener: (data: Buffer) => void) => ((emit = listener), () => {}),
    write: (keys: string) => typed.push(keys),
    resize() {},
    pause() {},
    resume() {},
  };
  session.attach(fake as unknown as PtyContainer);
  emit(Buffer.from(output));
  await session.flush();
  const scrolled: number[] = [];
  const copied: string[] = [];
  const mouse = (button: number, col: number, row: number, release = false) =>
    handlePaneMouse({ button, col, row, release } satisfies MouseReport, session, VIEW, {
      scrolled: (n) => scrolled.push(n),
      copy: (t) => copied.push(t),
    });
  return { session, typed, scrolled, copied, mouse };
}

const numbered = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\r\n');

describe('the mouse over the pane', () => {
  it('scrolls the history with the wheel, and not when it turns outside the pane', async () => {
    const { session, scrolled, mouse } = await sessionWith(numbered);
    mouse(64, 40, 3);
    mouse(64, 40, 3);
    assert.deepEqual(scrolled, [WHEEL_LINES, 2 * WHEEL_LINES]);
    mouse(65, 40, 3);
    assert.deepEqual(scrolled.at(-1), WHEEL_LINES);
    mouse(64, 10, 3); // over the panels
    assert.equal(scrolled.length, 3);
    session.dispose();
  });

  it('selects what a drag covers, highlighted, and copies it when the button is let go; a click copies nothing', async () => {
    const { session, copied, mouse } = await sessionWith('hello world\r\nsecond line\r\nthird');
    mouse(0, 36 + 6, 2); // press on the w of world
    mouse(32, 36 + 5, 3); // drag to "second" 's d
    mouse(0, 36 + 5, 3, true);
    assert.deepEqual(copied, ['world\nsecond']);
    const first = session.snapshot().lines[0]!.runs;
    assert.deepEqual(
      first.map((run) => [run.text, run.inverse ?? false]),
      [
        ['hello ', false],
        ['world' + ' '.repeat(9), true],
      ],
      "to the line's end, as the next line is selected too",
    );
    mouse(0, 36, 4);
    mouse(0, 36, 4, true);
    assert.equal(copied.length, 1, 'a click is no selection');
    assert.ok(
      session
        .snapshot()
        .lines.slice(0, 2)
        .every((line) => line.runs.every((run) => !run.inverse)),
      'and clears the last one',
    );
    session.dispose();
  });

  it('passes clicks on to a program that asked for SGR mouse reports, at its own cells', async () => {
    const { session, typed, scrolled, mouse } = await sessionWith('\x1b[?1002h\x1b[?1006h');
    assert.ok(session.wantsMouse);
    mouse(0, 36 + 4, 2 + 1);
    mouse(64, 36, 2);
    assert.deepEqual(typed, ['\x1b[<0;5;2M', '\x1b[<64;1;1M']);
    assert.deepEqual(scrolled, []);
    session.dispose();
  });

  it('sends arrow keys for the wheel to a full-screen program, which has no history to scroll', async () => {
    const { session, typed, scrolled, mouse } = await sessionWith('\x1b[?1049h');
    assert.ok(session.onAlternateScreen);
    mouse(65, 40, 3);
    assert.deepEqual(typed, ['\x1b[B'.repeat(WHEEL_LINES)]);
    assert.deepEqual(scrolled, []);
    session.dispose();
  });
});
