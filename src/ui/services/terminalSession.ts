/**
 * The container's terminal, with no React in it: a PtyContainer's output
 * goes through an @xterm/headless emulator of the pane's size; keys go back,
 * as the program running inside expects them.
 */
import xterm from '@xterm/headless';
import type { PtyContainer } from '../../runtime/container.js';
import { snapshotScreen, type ScreenSnapshot } from './screen.js';

/** Frames are at least this far apart, however fast output arrives (a timer new data does not reset). */
const FRAME_MS = 50;
/** ...and further when they are costly: drawing takes at most 1/FRAME_COST_SHARE of the time, the rest reads output. */
const FRAME_COST_SHARE = 4;
/** Output waiting to be parsed beyond this pauses the pty, so a flood cannot grow memory without bound. */
const HIGH_WATER = 512 * 1024;
const LOW_WATER = 64 * 1024;

export class TerminalSession {
  private readonly term: xterm.Terminal;
  private container: PtyContainer | null = null;
  private unsubscribe: (() => void) | null = null;
  private cursorVisible = true;
  private pendingBytes = 0;
  private paused = false;
  private frameTimer: NodeJS.Timeout | null = null;
  private lastFrameAt = 0;
  private frameCostMs = 0;
  /** Bumped on every change to the screen: an unchanged screen is not read again. */
  private version = 0;
  private snapshotCache: { version: number; snapshot: ScreenSnapshot } | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(cols: number, rows: number) {
    this.term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
    // DECTCEM (CSI ? 25 h / l): the emulator keeps cursor visibility private, so follow it here.
    const trackCursor = (visible: boolean) => (params: (number | number[])[]) => {
      if (params.includes(25)) this.cursorVisible = visible;
      return false; // let the emulator handle the sequence too
    };
    this.term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, trackCursor(true));
    this.term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, trackCursor(false));
    // Replies to the program's queries (device attributes, cursor position) go back to it.
    this.term.onData((reply) => this.container?.write(reply));
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  /** Show a new container's terminal: a clean screen, then all of its output. The
   * clean screen is drawn with the first output, so that one comes out at once. */
  attach(container: PtyContainer): void {
    this.detach();
    this.term.reset();
    this.cursorVisible = true;
    this.version++;
    this.container = container;
    container.resize(this.term.cols, this.term.rows);
    this.unsubscribe = container.onData((data) => this.write(data));
  }

  /** A clean screen, as a new run starts. */
  clear(): void {
    this.term.reset();
    this.cursorVisible = true;
    this.changed();
  }

  /** Show the runtime's own error on the screen, in red, where the person is looking. */
  printError(message: string): void {
    this.term.write(`\r\n\x1b[31mbaby-docker: ${message}\x1b[0m\r\n`, () => this.changed());
  }

  /** Stop following the container; what it showed stays on screen. */
  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.container = null;
    this.resumeOutput();
  }

  /** Resolves once everything written so far is on the screen, and tells the listeners now. */
  flush(): Promise<void> {
    return new Promise((resolve) =>
      this.term.write('', () => {
        this.notifyNow();
        resolve();
      }),
    );
  }

  resize(cols: number, rows: number): void {
    if (cols === this.term.cols && rows === this.term.rows) return;
    this.term.resize(cols, rows);
    this.container?.resize(cols, rows);
    this.changed();
  }

  /** Send keys typed by the person, as the program inside expects them. */
  sendKeys(keys: string): void {
    this.container?.write(this.term.modes.applicationCursorKeysMode ? toApplicationCursorKeys(keys) : keys);
  }

  snapshot(): ScreenSnapshot {
    if (this.snapshotCache?.version !== this.version) {
      this.snapshotCache = { version: this.version, snapshot: snapshotScreen(this.term, this.cursorVisible) };
    }
    return this.snapshotCache.snapshot;
  }

  /** How long the last frame took to draw: later frames are spaced by it. */
  setFrameCost(ms: number): void {
    this.frameCostMs = ms;
  }

  /** Called at most once a frame after the screen changed. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.detach();
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.term.dispose();
  }

  private write(data: string): void {
    this.pendingBytes += data.length;
    if (!this.paused && this.pendingBytes > HIGH_WATER) {
      this.paused = true;
      this.container?.pause();
    }
    this.term.write(data, () => {
      this.pendingBytes -= data.length;
      if (this.pendingBytes < LOW_WATER) this.resumeOutput();
      this.changed();
    });
  }

  private resumeOutput(): void {
    if (!this.paused) return;
    this.paused = false;
    this.container?.resume();
  }

  /** The first change after a quiet spell shows at once (a key's echo, a re-run's first output); more follow a frame later. */
  private changed(): void {
    this.version++;
    if (this.frameTimer) return;
    const interval = Math.max(FRAME_MS, FRAME_COST_SHARE * this.frameCostMs);
    this.frameTimer = setTimeout(() => this.notifyNow(), Math.max(0, this.lastFrameAt + interval - Date.now()));
  }

  private notifyNow(): void {
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = null;
    this.lastFrameAt = Date.now();
    for (const listener of this.listeners) listener();
  }
}

/** Arrow and Home/End keys as sent in application cursor mode (DECCKM): ESC O x instead of ESC [ x. */
export function toApplicationCursorKeys(keys: string): string {
  return keys.replace(/\x1b\[([ABCDHF])/g, '\x1bO$1');
}
