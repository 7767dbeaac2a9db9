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

export interface ScreenSnapshot {
  lines: ScreenLine[];
  cursor: { x: number; y: number; visible: boolean };
}

function colorOf(mode: 'fg' | 'bg', cell: IBufferCell): string | undefined {
  const [isDefault, isPalette, value] =
    mode === 'fg'
      ? [cell.isFgDefault(), cell.isFgPalette(), cell.getFgColor()]
      : [cell.isBgDefault(), cell.isBgPalette(), cell.getBgColor()];
  if (isDefault) return undefined;
  if (isPalette) return `ansi256(${value})`;
  return `#${value.toString(16).padStart(6, '0')}`;
}

function styleOf(cell: IBufferCell, isCursor: boolean): Omit<TextRun, 'text'> {
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
  // The cursor is drawn as an inverted cell, as a block cursor looks.
  if (Boolean(cell.isInverse()) !== isCursor) style.inverse = true;
  return style;
}

const sameStyle = (a: Omit<TextRun, 'text'>, b: Omit<TextRun, 'text'>): boolean =>
  a.color === b.color && a.backgroundColor === b.backgroundColor && a.bold === b.bold && a.dim === b.dim &&
  a.italic === b.italic && a.underline === b.underline && a.strikethrough === b.strikethrough && a.inverse === b.inverse;

/** The visible screen of the active buffer (normal or alternate), `cursorVisible` as the program set it. */
export function snapshotScreen(term: Terminal, cursorVisible: boolean): ScreenSnapshot {
  const buffer = term.buffer.active;
  const atBottom = buffer.viewportY === buffer.baseY;
  const cursor = { x: buffer.cursorX, y: buffer.cursorY, visible: cursorVisible && atBottom };
  const lines: ScreenLine[] = [];
  const cell = buffer.getNullCell();
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    const runs: TextRun[] = [];
    let columns = 0;
    for (let x = 0; line && x < term.cols; x++) {
      line.getCell(x, cell);
      if (cell.getWidth() === 0) continue;
      columns += cell.getWidth();
      const style = styleOf(cell, cursor.visible && y === cursor.y && x === cursor.x);
      const text = cell.getChars() || ' ';
      const last = runs[runs.length - 1];
      if (last && sameStyle(last, style)) last.text += text;
      else runs.push({ text, ...style });
    }
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
