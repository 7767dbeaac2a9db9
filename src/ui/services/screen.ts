/**
 * Turns the emulator's screen into lines of styled text runs that Ink can
 * draw: equal attributes merge into one run, the cell after a wide
 * character (width 0) is skipped so nothing gains a column.
 */
import type { IBufferCell, Terminal } from '@xterm/headless';

export interface TextRun {
  text: string;
  /** Ink colour: "ansi256(n)" for palette colours (the user's theme), "#rrggbb" for true colour. */
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  strikethrough?: boolean;
  inverse?: boolean;
}

export interface ScreenLine {
  runs: TextRun[];
  /** Terminal columns the runs cover (a wide character takes two). */
  columns: number;
  /** Changes whenever anything drawn on the line changes: lets a line skip re-rendering. */
  key: string;
}

/** Cells selected from `anchor` to `head` (either may come first), in buffer lines: the history's included. */
export interface Selection {
  anchor: { x: number; y: number };
  head: { x: number; y: number };
}

/** The selection's ends in reading order. */
export function selectionBounds({ anchor, head }: Selection): [Selection['anchor'], Selection['head']] {
  return anchor.y < head.y || (anchor.y === head.y && anchor.x <= head.x) ? [anchor, head] : [head, anchor];
}

/** Whether the cell at buffer line y, column x is in the selection. */
function inSelection(selection: Selection | null, x: number, y: number): boolean {
  if (!selection) return false;
  const [from, to] = selectionBounds(selection);
  if (y < from.y || y > to.y) return false;
  return (y > from.y || x >= from.x) && (y < to.y || x <= to.x);
}

export interface ScreenSnapshot {
  lines: ScreenLine[];
  cursor: { x: number; y: number; visible: boolean };
}

function colorOf(mode: 'fg' | 'bg', cell: IBufferCell): string | undefined {
  const [isDefault, isPalette, value] =
    mode === 'fg' ? [cell.isFgDefault(), cell.isFgPalette(), cell.getFgColor()] : [cell.isBgDefault(), cell.isBgPalette(), cell.getBgColor()];
  if (isDefault) return undefined;
  if (isPalette) return `ansi256(${value})`;
  return `#${value.toString(16).padStart(6, '0')}`;
}

function styleOf(cell: IBufferCell, inverted: boolean): Omit<TextRun, 'text'> {
  const style: Omit<TextRun, 'text'> = {};
  const color = colorOf('fg', cell);
  const backgroundColor = colorOf('bg', cell);
  if (color) style.color = color;
  if (backgroundColor) style.backgroundColor = backgroundColor;
  if (cell.isBold()) style.bold = true;
  if (cell.isDim()) style.dim = true;
  if (cell.isItalic()) style.italic = true;
  if (cell.isUnderline()) style.underline = true;
  if (cell.isStrikethrough()) style.strikethrough = true;
  if (Boolean(cell.isInverse()) !== inverted) style.inverse = true;
  return style;
}

/** The cells look alike in every attribute a run keeps (see styleOf). */
function sameAttributes(a: IBufferCell, b: IBufferCell): boolean {
  const isDefault = a.isAttributeDefault();
  if (isDefault !== b.isAttributeDefault()) return false;
  return (
    isDefault ||
    (a.getFgColorMode() === b.getFgColorMode() &&
      a.getFgColor() === b.getFgColor() &&
      a.getBgColorMode() === b.getBgColorMode() &&
      a.getBgColor() === b.getBgColor() &&
      a.isBold() === b.isBold() &&
      a.isDim() === b.isDim() &&
      a.isItalic() === b.isItalic() &&
      a.isUnderline() === b.isUnderline() &&
      a.isStrikethrough() === b.isStrikethrough() &&
      a.isInverse() === b.isInverse())
  );
}

/**
 * The visible screen of the active buffer (normal or alternate), `cursorVisible`
 * as the program set it, the cursor's cell and a selection shown inverted.
 * Cells are compared, not styled, one by one: a style is made once a run,
 * and its text read by the emulator in one go.
 */
export function snapshotScreen(term: Terminal, cursorVisible: boolean, selection: Selection | null = null): ScreenSnapshot {
  const buffer = term.buffer.active;
  const atBottom = buffer.viewportY === buffer.baseY;
  const cursor = { x: buffer.cursorX, y: buffer.cursorY, visible: cursorVisible && atBottom };
  const lines: ScreenLine[] = [];
  let cell = buffer.getNullCell();
  let previous = buffer.getNullCell();
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    const runs: TextRun[] = [];
    let columns = 0;
    let runStart = 0;
    let style: Omit<TextRun, 'text'> = {};
    let previousInverted = false;
    for (let x = 0; line && x < term.cols; x++) {
      line.getCell(x, cell);
      const width = cell.getWidth();
      if (width === 0) continue; // the second half of a wide character
      columns += width;
      // The cursor is drawn as an inverted cell, as a block cursor looks, and so is a selection: runs of their own.
      const inverted = (cursor.visible && y === cursor.y && x === cursor.x) || inSelection(selection, x, buffer.viewportY + y);
      if (x === 0 || inverted !== previousInverted || !sameAttributes(cell, previous)) {
        if (x > 0) runs.push({ text: line.translateToString(false, runStart, x), ...style });
        style = styleOf(cell, inverted);
        runStart = x;
      }
      previousInverted = inverted;
      [cell, previous] = [previous, cell];
    }
    if (line) runs.push({ text: line.translateToString(false, runStart, term.cols), ...style });
    // Trailing default-styled blanks draw nothing: dropping them keeps keys stable.
    const last = runs[runs.length - 1];
    if (last && Object.keys(last).length === 1) {
      const trimmed = last.text.trimEnd();
      columns -= last.text.length - trimmed.length;
      last.text = trimmed;
      if (last.text === '') runs.pop();
    }
    lines.push({ runs, columns, key: JSON.stringify(runs) });
  }
  return { lines, cursor };
}
