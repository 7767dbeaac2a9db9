/**
 * Lines of the panel column that change with the clock alone: the uptime and
 * the memory sparkline. Ink draws them with each of its frames; in between,
 * the pane painter draws them again as the clock moves (main.tsx ticks it).
 * A frame of Ink builds every cell of the column anew, so an idle container,
 * whose state does not change, then costs no frame at all.
 */
import type { TextRun } from './screen.js';

/** Where a line is on the screen: 1-based row and column, and the columns it may fill. */
export interface LinePosition {
  row: number;
  col: number;
  width: number;
}

export interface LiveLine {
  /** The line as it reads at `now` (ms since the epoch). */
  runs(now: number): TextRun[];
  /** Where Ink last laid it out, or null when it has no place. */
  position(): LinePosition | null;
}

/** The live lines on screen now: components add theirs while they are shown. */
export class LiveLines {
  private readonly lines = new Set<LiveLine>();

  /** Returns the function that removes it again. */
  add(line: LiveLine): () => void {
    this.lines.add(line);
    return () => this.lines.delete(line);
  }

  [Symbol.iterator](): IterableIterator<LiveLine> {
    return this.lines.values();
  }
}
