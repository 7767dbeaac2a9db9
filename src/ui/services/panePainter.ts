/**
 * Draws the container's terminal straight onto the user's terminal, beside
 * Ink: the pane's border and the panels are Ink's, the screen inside is
 * ours. Output then costs a few changed lines, not a whole Ink frame (which
 * builds every cell of the screen): a scrolling pane runs at the speed the
 * emulator parses, and an idle one draws nothing.
 *
 * Ink leaves the pane blank whenever it writes a frame; the stdout Ink gets
 * (inkStdout) repaints the whole pane right behind it, inside the same
 * synchronized update where the terminal supports one, so nothing flickers.
 */
import type { ScreenLine, TextRun } from './screen.js';
import type { TerminalSession } from './terminalSession.js';

/** Where the pane's inside starts: row and column 2, inside Ink's border (Ink draws from the top left). */
const ORIGIN_ROW = 2;
const ORIGIN_COL = 2;
/** Ink ends each synchronized frame with this (DEC mode 2026). */
const END_SYNCHRONIZED = '\x1b[?2026l';
const SAVE_CURSOR = '\x1b7';
const RESTORE_CURSOR = '\x1b8';

function colorCode(color: string, base: 38 | 48): string {
  if (color.startsWith('#')) {
    const rgb = Number.parseInt(color.slice(1), 16);
    return `${base};2;${(rgb >> 16) & 255};${(rgb >> 8) & 255};${rgb & 255}`;
  }
  return `${base};5;${color.slice('ansi256('.length, -1)}`;
}

/** SGR for a run, from a reset: nothing of the previous run carries over. */
function sgr(run: TextRun): string {
  const codes = ['0'];
  if (run.bold) codes.push('1');
  if (run.dim) codes.push('2');
  if (run.italic) codes.push('3');
  if (run.underline) codes.push('4');
  if (run.inverse) codes.push('7');
  if (run.strikethrough) codes.push('9');
  if (run.color) codes.push(colorCode(run.color, 38));
  if (run.backgroundColor) codes.push(colorCode(run.backgroundColor, 48));
  return `\x1b[${codes.join(';')}m`;
}

/** One line of the pane, padded to its width so what was there before is covered. */
export function lineSequence(line: ScreenLine, y: number, width: number): string {
  const text = line.runs.map((run) => sgr(run) + run.text).join('');
  return `\x1b[${ORIGIN_ROW + y};${ORIGIN_COL}H${text}\x1b[0m${' '.repeat(Math.max(0, width - line.columns))}`;
}

export class PanePainter {
  /** Line keys as last drawn; null where the terminal may not show them any more. */
  private drawn: (string | null)[] = [];

  constructor(
    private readonly session: TerminalSession,
    private readonly out: { write(data: string): unknown },
    /** Whether the run view (and so the pane) is on screen now. */
    private readonly isShown: () => boolean,
  ) {
    session.onChange(() => this.paintChanged());
  }

  /** The whole pane as one string: Ink has just blanked it. */
  fullPaint(): string {
    this.drawn = [];
    return this.isShown() ? this.sequenceFor(() => true) : '';
  }

  /** Draw the lines that changed since they were drawn. */
  paintChanged(): void {
    if (!this.isShown()) {
      this.drawn = [];
      return;
    }
    const sequence = this.sequenceFor((line, y) => this.drawn[y] !== line.key);
    if (sequence) this.out.write(sequence);
  }

  private sequenceFor(wanted: (line: ScreenLine, y: number) => boolean): string {
    const { lines } = this.session.snapshot();
    let sequence = '';
    lines.forEach((line, y) => {
      if (!wanted(line, y)) return;
      sequence += lineSequence(line, y, this.session.cols);
      this.drawn[y] = line.key;
    });
    this.drawn.length = lines.length;
    return sequence && SAVE_CURSOR + sequence + RESTORE_CURSOR;
  }
}

/**
 * The stdout to give Ink: every frame Ink writes is followed by a full paint
 * of the pane, before the end of Ink's synchronized update when there is one,
 * else right after the frame (a microtask: all of a frame's writes come in
 * one go).
 */
export function inkStdout(stdout: NodeJS.WriteStream, painter: PanePainter): NodeJS.WriteStream {
  let framePending = false;
  const afterFrame = () => {
    if (!framePending) return;
    framePending = false;
    stdout.write(painter.fullPaint());
  };
  return new Proxy(stdout, {
    get(target, property) {
      if (property === 'write') {
        return (data: string | Uint8Array, ...rest: unknown[]) => {
          if (data === END_SYNCHRONIZED && framePending) {
            framePending = false;
            return (target.write as (...args: unknown[]) => boolean)(painter.fullPaint() + data, ...rest);
          }
          if (!framePending) queueMicrotask(afterFrame);
          framePending = true;
          return (target.write as (...args: unknown[]) => boolean)(data, ...rest);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
