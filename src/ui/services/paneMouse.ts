/**
 * What the mouse does over the pane, as in tmux with its mouse on: the wheel
 * scrolls the history (in a full-screen program, which has none, it sends
 * arrow keys, as xterm's alternate scroll does); a drag selects text, which
 * is copied when the button is let go. A program that asked for mouse
 * reports (vi with mouse=a, htop) gets them instead. Shift with the mouse
 * leaves it all to the person's own terminal. No React in it.
 */
import type { MouseReport } from '../input.js';
import type { PaneView } from './panePainter.js';
import type { TerminalSession } from './terminalSession.js';

/** Lines a turn of the wheel scrolls, as most terminals do. */
export const WHEEL_LINES = 3;

const MOTION = 32;
const WHEEL = 64;
/** The button's number without Shift, Alt and Ctrl (4, 8, 16). */
const BUTTON_BITS = 3 | MOTION | WHEEL;

export interface PaneMouseActions {
  /** The view scrolled: how many lines back it now is. */
  scrolled(lines: number): void;
  /** Put the text on the person's clipboard. */
  copy(text: string): void;
}

/** Handle one mouse report over the terminal whose pane is at `view` (null: no pane on screen). */
export function handlePaneMouse(event: MouseReport, session: TerminalSession, view: PaneView | null, actions: PaneMouseActions): void {
  if (!view) return;
  const col = event.col - view.left - 1;
  const row = event.row - view.top - 1;
  const [cols, rows] = [view.width - 2, view.height - 2];
  const inside = col >= 0 && col < cols && row >= 0 && row < rows;
  const button = event.button & BUTTON_BITS;
  if (session.wantsMouse && session.scrolledBack === 0 && !view.screen) {
    if (inside) session.sendKeys(`\x1b[<${event.button};${col + 1};${row + 1}${event.release ? 'm' : 'M'}`);
    return;
  }
  if (button === WHEEL || button === WHEEL + 1) {
    if (!inside) return;
    const up = button === WHEEL;
    if (session.onAlternateScreen) session.sendKeys((up ? '\x1b[A' : '\x1b[B').repeat(WHEEL_LINES));
    else actions.scrolled(session.scroll(up ? -WHEEL_LINES : WHEEL_LINES));
    return;
  }
  if (button === 0 && !event.release) {
    if (inside) session.select(col, row, false);
    else session.clearSelection();
    return;
  }
  if (button === MOTION) return session.select(Math.max(0, Math.min(cols - 1, col)), Math.max(0, Math.min(rows - 1, row)), true);
  if (button === 0 && event.release) {
    const text = session.selectedText();
    if (text) actions.copy(text);
    else session.clearSelection(); // a click, not a drag
  }
}
