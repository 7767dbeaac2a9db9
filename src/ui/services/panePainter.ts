/**
 * Draws the container's terminal, border and all, straight onto the user's
 * terminal, right of the panels Ink draws; and, between Ink's frames, the
 * panels' lines that move with the clock (liveLines.ts). Output then costs a
 * few changed lines, never an Ink frame (which builds every cell it covers):
 * a scrolling pane runs at the speed the emulator parses, and Ink's frames
 * stay as narrow as the panels.
 *
 * Ink erases whole lines whenever it writes a frame; the stdout Ink gets
 * (inkStdout) repaints the whole pane right behind it, inside the same
 * synchronized update where the terminal supports one, so nothing flickers.
 */
import type { FooterPart } from '../footer.js';
import type { LinePosition, LiveLine } from './liveLines.js';
import type { ScreenLine, ScreenSnapshot, TextRun } from './screen.js';
import type { TerminalSession } from './terminalSession.js';
import { mark } from './trace.js';

/** Where the pane is, as 1-based terminal columns and rows (Ink draws from the top left), and its title. */
export interface PaneView {
  title: string;
  /** Keys go to the container: a green border says so. */
  focused: boolean;
  /** Row of the top border: below Ink's status bar on a narrow terminal, else 1. */
  top: number;
  left: number;
  width: number;
  height: number;
  /** Shown in place of the container's live terminal: a past run's last screen, or the exec shell's; null: the live one. */
  screen: ScreenSnapshot | null;
  /** The footer below, across the whole terminal. */
  footer: FooterPart[];
  footerRow: number;
  cols: number;
}

/** Ink ends each synchronized frame with this (DEC mode 2026). */
const END_SYNCHRONIZED = '\x1b[?2026l';
const SAVE_CURSOR = '\x1b7';
const RESTORE_CURSOR = '\x1b8';

/** Ink's colour names (the panels' live lines use them) as SGR foreground codes; a background's is 10 more. */
const NAMED_COLORS: Record<string, number> = { black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90 };

function colorCode(color: string, base: 38 | 48): string {
  if (color in NAMED_COLORS) return String(NAMED_COLORS[color] + (base === 48 ? 10 : 0));
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

/** One line of the pane's inside (y from 0); the rest of it is blanked (ECH: erase
 * characters, the cursor stays), so what was there before is gone. */
export function lineSequence(line: ScreenLine, y: number, view: PaneView): string {
  const text = line.runs.map((run) => sgr(run) + run.text).join('');
  const rest = view.width - 2 - line.columns;
  return `\x1b[${view.top + 1 + y};${view.left + 1}H${text}\x1b[0m${rest > 0 ? `\x1b[${rest}X` : ''}`;
}

/** A live line of the panels at its place, cut to its width with "…" as Ink cuts it; the rest of it is blanked. */
export function liveLineSequence(runs: readonly TextRun[], at: LinePosition): string {
  const length = runs.reduce((sum, run) => sum + Array.from(run.text).length, 0);
  const cut = length > at.width;
  let room = cut ? at.width - 1 : length;
  let text = '';
  for (const run of runs) {
    const shown = Array.from(run.text).slice(0, Math.max(0, room));
    room -= shown.length;
    text += sgr(run) + shown.join('');
  }
  const rest = at.width - length;
  return `\x1b[${at.row};${at.col}H${text}${cut ? '…' : ''}\x1b[0m${rest > 0 ? `\x1b[${rest}X` : ''}`;
}

const FOOTER_STYLES: Record<NonNullable<FooterPart['style']> | 'plain', string> = {
  key: '\x1b[0;1;36m',
  prompt: '\x1b[0;1;33m',
  dim: '\x1b[0;2m',
  cursor: '\x1b[0;7m',
  plain: '\x1b[0m',
};

/** The footer line, cut to the terminal's width; the rest of the line is cleared. */
export function footerSequence(view: PaneView): string {
  let room = view.cols;
  let text = '';
  for (const part of view.footer) {
    const shown = part.text.slice(0, Math.max(0, room));
    room -= shown.length;
    text += FOOTER_STYLES[part.style ?? 'plain'] + shown;
  }
  return `\x1b[${view.footerRow};1H${text}\x1b[0m\x1b[K`;
}

/** The pane's rounded border with its title in the top edge. */
export function borderSequence(view: PaneView): string {
  const color = view.focused ? '\x1b[0;32m' : '\x1b[0;90m';
  const inner = view.width - 2;
  const title = view.title.length > inner - 4 ? `${view.title.slice(0, Math.max(0, inner - 5))}…` : view.title;
  const top = `─ ${view.focused ? '\x1b[1m' : ''}${title}\x1b[22m${color} `;
  const topRest = '─'.repeat(Math.max(0, inner - title.length - 3));
  const bottom = view.top + view.height - 1;
  let sequence = `\x1b[${view.top};${view.left}H${color}╭${top}${topRest}╮`;
  for (let row = view.top + 1; row < bottom; row++) {
    sequence += `\x1b[${row};${view.left}H│\x1b[${row};${view.left + view.width - 1}H│`;
  }
  return `${sequence}\x1b[${bottom};${view.left}H╰${'─'.repeat(inner)}╯\x1b[0m`;
}

export class PanePainter {
  /** Line keys as last drawn; gone where the terminal may not show them any more. */
  private drawn: string[] = [];
  /** Each line's escape sequence with what it was made from: an unchanged line is not encoded again. */
  private encoded: { from: string; sequence: string }[] = [];
  private drawnBorder = '';
  private drawnFooter = '';
  /** Where the pane was when drawn: anywhere else, nothing of it can be counted on. */
  private drawnGeometry = '';
  /** Each live line's sequence as last drawn by us (Ink's frames draw them too). */
  private drawnLive = new WeakMap<LiveLine, string>();
  /** Each live line's place, as Ink's last frame laid it out: read again after the next frame. */
  private positions = new WeakMap<LiveLine, LinePosition | null>();

  constructor(
    private readonly session: TerminalSession,
    private readonly out: { write(data: string): unknown },
    /** Where the pane is now, or null while another screen covers it. */
    private readonly view: () => PaneView | null,
    /** The panels' lines that move with the clock (see liveLines.ts). */
    private readonly liveLines: Iterable<LiveLine> = [],
  ) {
    session.onChange(() => this.paintChanged());
  }

  /**
   * After an Ink frame that erased columns 1 to `erasedCols` of its rows (the
   * footer's among them, see inkStdout): what of ours was there, as one string.
   */
  afterInkFrame(erasedCols: number): string {
    this.positions = new WeakMap(); // the frame may have laid the live lines out elsewhere
    const view = this.view();
    if (!view) {
      this.forget();
      return '';
    }
    // Beside the panel column, Ink's rows are the pane's; above the pane (the status bar), its
    // frame ends on the row of the pane's top border, which its next frame erases first.
    const cleared = erasedCols === Number.POSITIVE_INFINITY;
    if (cleared || (view.top === 1 && erasedCols >= view.left)) this.forget();
    else {
      this.drawnFooter = '';
      if (view.top > 1) this.drawnBorder = '';
      this.drawnLive = new WeakMap(); // Ink's frame drew them as of its render
    }
    return this.sequence(view, (line, y) => this.drawn[y] !== line.key);
  }

  /** Draw what changed since it was drawn: lines of the pane, its border and title, the footer, the live lines. */
  paintChanged(): void {
    const view = this.view();
    if (!view) return this.forget();
    const sequence = this.sequence(view, (line, y) => this.drawn[y] !== line.key);
    if (sequence) this.out.write(sequence);
    mark(`painted ${sequence.length}`);
  }

  /**
   * The live lines alone, as the clock moves them (main.tsx ticks it): nothing else on screen changes with the
   * clock alone, and a change of the state, the screen or the layout paints at once (paintChanged).
   */
  paintLive(): void {
    const view = this.view();
    if (!view) return this.forget();
    if (this.geometryOf(view) !== this.drawnGeometry) return this.paintChanged();
    const sequence = this.liveSequence(view);
    if (sequence) this.out.write(SAVE_CURSOR + sequence + RESTORE_CURSOR);
  }

  /** Nothing drawn can be counted on any more. */
  private forget(): void {
    this.drawn = [];
    this.drawnBorder = '';
    this.drawnFooter = '';
    this.drawnGeometry = '';
    this.drawnLive = new WeakMap();
    this.positions = new WeakMap();
  }

  private geometryOf(view: PaneView): string {
    return `${view.top} ${view.left} ${view.width} ${view.height} ${view.cols} ${view.footerRow}`;
  }

  /** The live lines that read differently from when we last drew them. */
  private liveSequence(view: PaneView): string {
    let sequence = '';
    const now = Date.now();
    for (const line of this.liveLines) {
      let at = this.positions.get(line);
      if (at === undefined) this.positions.set(line, (at = line.position()));
      if (!at || at.row > view.top + view.height - 1) continue; // not laid out, or cut off with the column
      const drawn = liveLineSequence(line.runs(now), at);
      if (this.drawnLive.get(line) === drawn) continue;
      sequence += drawn;
      this.drawnLive.set(line, drawn);
    }
    return sequence;
  }

  private sequence(view: PaneView, wanted: (line: ScreenLine, y: number) => boolean): string {
    const geometry = this.geometryOf(view);
    if (geometry !== this.drawnGeometry) {
      this.forget(); // moved or resized: draw all of it
      this.drawnGeometry = geometry;
    }
    const { lines } = view.screen ?? this.session.snapshot();
    const border = borderSequence(view);
    let sequence = border === this.drawnBorder ? '' : border;
    this.drawnBorder = border;
    lines.forEach((line, y) => {
      // Just after a resize the screen may still have its old size: never draw over the border.
      if (y >= view.height - 2 || !wanted(line, y)) return;
      const from = `${line.key} ${view.left} ${view.width}`;
      if (this.encoded[y]?.from !== from) this.encoded[y] = { from, sequence: lineSequence(line, y, view) };
      sequence += this.encoded[y].sequence;
      this.drawn[y] = line.key;
    });
    this.drawn.length = lines.length;
    const footer = footerSequence(view);
    if (footer !== this.drawnFooter) {
      sequence += footer;
      this.drawnFooter = footer;
    }
    sequence += this.liveSequence(view);
    // Ink moves the cursor relative to where it left it: put it back.
    return sequence && SAVE_CURSOR + sequence + RESTORE_CURSOR;
  }
}

/** Ink erases each line of its last frame whole (EL 2) and clears the screen when a frame is taller than it. */
const ERASE_LINE = '\x1b[2K';
const CLEAR_SCREEN = '\x1b[2J';

/**
 * The stdout to give Ink, as wide as `columns` says. Ink's erasing of whole
 * lines is cut to the columns its frames take, so the pane beside them stays
 * on screen; after each frame the painter repaints what was erased (the
 * footer, or everything when Ink cleared more), before the end of Ink's
 * synchronized update when there is one, else right after the frame (a
 * microtask: all of a frame's writes come in one go). Without the terminal
 * (`ownsTerminal` false: suspended, or given back) a frame goes nowhere: a
 * timer due while the process was stopped fires before SIGCONT is handled,
 * and its frame would land on the shell's screen; the redraw on taking the
 * terminal back draws it all.
 */
export function inkStdout(stdout: NodeJS.WriteStream, painter: PanePainter, columns: () => number, ownsTerminal: () => boolean): NodeJS.WriteStream {
  let framePending = false;
  /** Columns this frame has erased so far. */
  let erased = 0;
  /** How wide the last frame drew: a narrower frame erases that much of it too. */
  let drawnWidth = 0;
  const repaint = (): string => {
    framePending = false;
    const sequence = painter.afterInkFrame(erased);
    erased = 0;
    return sequence;
  };
  const afterFrame = () => {
    if (framePending) stdout.write(repaint());
  };
  return new Proxy(stdout, {
    get(target, property) {
      if (property === 'write') {
        return (data: string | Uint8Array, ...rest: unknown[]) => {
          if (!ownsTerminal()) return true;
          const write = (chunk: string | Uint8Array) => (target.write as (...args: unknown[]) => boolean)(chunk, ...rest);
          if (data === END_SYNCHRONIZED && framePending) return write(repaint() + data);
          if (!framePending) queueMicrotask(afterFrame);
          framePending = true;
          if (typeof data !== 'string') return write(data);
          const width = Math.max(drawnWidth, columns());
          drawnWidth = columns();
          if (data.includes(CLEAR_SCREEN)) erased = Number.POSITIVE_INFINITY;
          if (!data.includes(ERASE_LINE)) return write(data);
          erased = Math.max(erased, width);
          return write(data.replaceAll(ERASE_LINE, `\x1b[1G\x1b[${width}X`));
        };
      }
      // Ink lays its frame out this wide: only the panel column while the pane is shown.
      if (property === 'columns') return columns();
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
