/** Where things go on the screen, from the terminal's size: the panels on the
 * left (drawn by Ink), the container's terminal on the right (drawn by the
 * pane painter), the footer below both. */

export const SIDE_WIDTH = 34;
export const MIN_COLS = 70;
export const MIN_ROWS = 16;

export interface Layout {
  cols: number;
  /** Ink draws rows - 1 lines: a frame as tall as the terminal makes Ink clear and redraw every frame (flicker). */
  height: number;
  /** The main area between top and footer. */
  mainHeight: number;
  /** The pane's left border, as a 1-based terminal column. */
  paneLeft: number;
  paneWidth: number;
  /** The container's terminal: the pane's inside, without its border. */
  termCols: number;
  termRows: number;
  tooSmall: boolean;
}

/** The container's terminal in the pane of `terminal` (80 x 24 when it does not say), at least 1 x 1. */
export function paneSizeOf(terminal: { columns?: number; rows?: number }): { cols: number; rows: number } {
  const { termCols, termRows } = layoutFor(terminal.columns || 80, terminal.rows || 24);
  return { cols: Math.max(1, termCols), rows: Math.max(1, termRows) };
}

export function layoutFor(cols: number, rows: number): Layout {
  const height = Math.max(1, rows - 1);
  const mainHeight = Math.max(3, height - 1);
  const paneWidth = Math.max(4, cols - SIDE_WIDTH);
  return {
    cols,
    height,
    mainHeight,
    paneLeft: SIDE_WIDTH + 1,
    paneWidth,
    termCols: paneWidth - 2,
    termRows: mainHeight - 2,
    tooSmall: cols < MIN_COLS || rows < MIN_ROWS,
  };
}
