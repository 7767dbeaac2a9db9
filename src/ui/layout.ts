/** Where things go on the screen, from the terminal's size: the panels (drawn
 * by Ink) in a column on the left, or, on a narrow terminal, as a status bar
 * (and the lab's band) across the top; the container's terminal beside or
 * below them (drawn by the pane painter); the footer below all. */

export const SIDE_WIDTH = 34;
export const MIN_COLS = 70;
export const MIN_ROWS = 16;
/** Narrower than this, the panel column would leave the shell less than 64 columns: a status bar takes its place. */
export const PANELS_MIN_COLS = 100;
/** A lab's column grows up to this to give its text room, as long as the shell keeps SHELL_MIN_COLS. */
const LAB_SIDE_MAX = 60;
const SHELL_MIN_COLS = 82;
/** The status bar's rows, and the lab band's share of the rows under it. */
export const STATUS_BAR_ROWS = 1;
const LAB_BAND_SHARE = 0.45;
const LAB_BAND_MIN_ROWS = 6;

export interface LayoutOptions {
  /** The panel column: shown, hidden (status bar), or null to go by the width (Ctrl-] p picks). */
  panels: boolean | null;
  /** A lab is followed: its panel needs room. */
  lab: boolean;
}

const BY_WIDTH: LayoutOptions = { panels: null, lab: false };

export interface Layout {
  cols: number;
  /** Ink draws rows - 1 lines: a frame as tall as the terminal makes Ink clear and redraw every frame (flicker). */
  height: number;
  /** The main area between top and footer. */
  mainHeight: number;
  /** The panel column's width; 0 when the status bar takes its place. */
  sideWidth: number;
  /** Rows above the pane: the status bar and the lab's band; 0 beside the panel column. */
  topRows: number;
  /** The lab's band under the status bar (0 beside the panel column, or without a lab). */
  labRows: number;
  /** The pane's top left corner, as 1-based terminal row and column, and its size, border included. */
  paneTop: number;
  paneLeft: number;
  paneWidth: number;
  paneHeight: number;
  /** The container's terminal: the pane's inside, without its border. */
  termCols: number;
  termRows: number;
  tooSmall: boolean;
}

/** Whether the panel column is shown at `cols` columns (rather than the status bar). */
export function panelsShown(cols: number, panels: boolean | null): boolean {
  return panels ?? cols >= PANELS_MIN_COLS;
}

/** The container's terminal in the pane of `terminal` (80 x 24 when it does not say), at least 1 x 1. */
export function paneSizeOf(terminal: { columns?: number; rows?: number }, options: LayoutOptions = BY_WIDTH): { cols: number; rows: number } {
  const { termCols, termRows } = layoutFor(terminal.columns || 80, terminal.rows || 24, options);
  return { cols: Math.max(1, termCols), rows: Math.max(1, termRows) };
}

export function layoutFor(cols: number, rows: number, options: LayoutOptions = BY_WIDTH): Layout {
  const height = Math.max(1, rows - 1);
  const mainHeight = Math.max(3, height - 1);
  const column = panelsShown(cols, options.panels);
  const sideWidth = !column ? 0 : options.lab ? Math.min(LAB_SIDE_MAX, Math.max(SIDE_WIDTH, cols - SHELL_MIN_COLS)) : SIDE_WIDTH;
  const labRows = !column && options.lab ? Math.max(LAB_BAND_MIN_ROWS, Math.floor(mainHeight * LAB_BAND_SHARE)) : 0;
  const topRows = column ? 0 : STATUS_BAR_ROWS + labRows;
  const paneWidth = Math.max(4, cols - sideWidth);
  const paneHeight = Math.max(3, mainHeight - topRows);
  return {
    cols,
    height,
    mainHeight,
    sideWidth,
    topRows,
    labRows,
    paneTop: topRows + 1,
    paneLeft: sideWidth + 1,
    paneWidth,
    paneHeight,
    termCols: paneWidth - 2,
    termRows: paneHeight - 2,
    tooSmall: cols < MIN_COLS || rows < MIN_ROWS,
  };
}
