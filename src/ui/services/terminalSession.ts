/**
 * A terminal of the pane, with no React in it: a container's output (or an
 * exec'd shell's) goes through an @xterm/headless emulator of the pane's
 * size; keys go back, as the program running inside expects them.
 */
import { Unicode11Addon } from '@xterm/addon-unicode11';
import xterm from '@xterm/headless';
import type { PtyContainer } from '../../runtime/container.js';
import { dropScrolledOffLines, withScrolledOffLinesDropped } from './jumpScroll.js';
import { mark } from './trace.js';
import { selectionBounds, snapshotScreen, type ScreenSnapshot, type Selection } from './screen.js';

/** What a session shows: a container on its pty, or a process exec'd into one (runtime PtyProcess). */
export type PaneProcess = Pick<PtyContainer, 'onData' | 'write' | 'resize' | 'pause' | 'resume'>;

/** Frames are at least this far apart, however fast output arrives (a timer new data does not reset). */
const FRAME_MS = 50;
/** ...and further when they are costly: drawing takes at most 1/FRAME_COST_SHARE of the time, the rest reads output. */
const FRAME_COST_SHARE = 4;
/** Output batches given to the emulator while output keeps coming are at least this far apart... */
const FEED_MS = 10;
/** ...and in a flood of plain lines, which jump scrolling cuts short, this far: all but the last screenful goes unseen anyway. */
const FLOOD_FEED_MS = 100;
/** In such a flood, output waiting beyond this is cut short at once, rather than held for the next batch;
 * too short yet to cut (it must hold more lines than the screen and its history), it is tried again at twice the size. */
const FLOOD_COMPACT_BYTES = 256 * 1024;
/** Output waiting to be parsed beyond this pauses the pty, so a flood cannot grow memory without bound:
 * room for a flood to be cut short, which takes more lines than the history holds. */
const HIGH_WATER = 8 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

/** A batch this small is parsed at once, in the turn of the event loop that feeds it (it takes microseconds). */
const SYNC_PARSE_BYTES = 4096;

/** A batch of plain lines this big is held back as a flood's is, cut short or not: its history lines are parsed once it ends. */
const HOLD_BACK_BYTES = 64 * 1024;

/** Lines of output kept above the screen, to scroll back through (the pane's history). */
export const SCROLLBACK_LINES = 10_000;

/** Reset to initial state (RIS): what a new run's screen starts from. */
const RESET = Buffer.from('\x1bc');

/** xterm's parser state between escape sequences. */
const PARSER_GROUND = 0;

/** xterm's core parses at once, not in the background, when told to: not in its public API. */
interface SyncWriter {
  writeSync(data: Uint8Array): void;
}

/** The private parts of xterm's core that jump scrolling reads. */
interface JumpScrollState {
  buffer?: { scrollTop?: number; scrollBottom?: number };
  _inputHandler?: { _parser?: { currentState?: number } };
}

export class TerminalSession {
  private term: xterm.Terminal;
  private container: PaneProcess | null = null;
  private unsubscribe: (() => void) | null = null;
  private cursorVisible = true;
  /** The program asked for mouse reports in SGR form (DECSET 1006): the pane passes clicks and the wheel on to it. */
  private sgrMouse = false;
  /** Text selected with the mouse, in buffer lines (history included), or null. */
  private selection: Selection | null = null;
  /** Output read but not yet given to the emulator: it gets it in batches, one at a time (see feed). */
  private queued: Buffer[] = [];
  /** The chunks at the queue's head that a flood's cut kept: plain text, not scanned again. */
  private plainChunks = 0;
  /** Output is queued or being parsed: a feed is due. */
  private parsing = false;
  /** Cancels the feed that is due (see later). */
  private feedTimer: (() => void) | null = null;
  /** The emulator is parsing a batch: its state is not that of the queue's start. */
  private emulatorBusy = false;
  /** Bumped when a new run takes over while a batch is being parsed: the callbacks of writes before it do nothing. */
  private generation = 0;
  /** The last batch was a flood of plain lines, cut short by jump scrolling. */
  private flooding = false;
  /** Queued bytes beyond which a flood is cut short before its batch is due. */
  private compactAt = FLOOD_COMPACT_BYTES;
  /** Output came since the last feed. */
  private newOutput = false;
  /** A flood's batch is held back, unparsed, at the queue's head; the preview shows its last screenful (see holdBack). */
  private heldBack = false;
  private preview: xterm.Terminal | null = null;
  private lastFeedAt = 0;
  private readonly parsedWaiters: (() => void)[] = [];
  /** Waiting for the listeners to be told of a change (nextFrame). */
  private readonly frameWaiters = new Set<() => void>();
  private pendingBytes = 0;
  private paused = false;
  /** Cancels the frame that is due (see later). */
  private frameTimer: (() => void) | null = null;
  private lastFrameAt = 0;
  private frameCostMs = 0;
  /** Bumped on every change to the screen: an unchanged screen is not read again. */
  private version = 0;
  private snapshotCache: { version: number; snapshot: ScreenSnapshot } | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly outputListeners = new Set<(data: Buffer) => void>();

  constructor(cols: number, rows: number) {
    this.term = this.createTerminal(cols, rows);
  }

  private createTerminal(cols: number, rows: number): xterm.Terminal {
    // logLevel off: xterm reports a sequence it cannot parse on the console, which is the screen the UI draws.
    const term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: SCROLLBACK_LINES, logLevel: 'off' });
    applyUnicode11Widths(term);
    // DECTCEM (CSI ? 25 h / l): the emulator keeps cursor visibility private, so follow it here.
    const trackCursor = (visible: boolean) => (params: (number | number[])[]) => {
      if (term !== this.term) return false; // a run's before this one (see reset)
      if (params.includes(25)) this.cursorVisible = visible;
      if (params.includes(1006)) this.sgrMouse = visible;
      return false; // let the emulator handle the sequence too
    };
    term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, trackCursor(true));
    term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, trackCursor(false));
    // Replies to the program's queries (device attributes, cursor position) go back to it.
    term.onData((reply) => {
      if (term === this.term) this.container?.write(reply);
    });
    return term;
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  /** Show a new container's terminal: a clean screen, then all of its output. The
   * clean screen is drawn with the first output, so that one comes out at once. */
  attach(container: PaneProcess): void {
    this.detach();
    this.reset();
    this.version++;
    this.container = container;
    container.resize(this.term.cols, this.term.rows);
    for (const listener of this.outputListeners) listener(RESET);
    this.unsubscribe = container.onData((data) => {
      mark(`data ${data.length}`);
      for (const listener of this.outputListeners) listener(data);
      this.write(data);
    });
  }

  /** Everything the pane is given to show, as it comes: each container's output, after a reset (RIS) as each starts. */
  onOutput(listener: (data: Buffer) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** A clean screen, as a new run starts. */
  clear(): void {
    this.reset();
    this.changed();
  }

  /** A clean screen showing `lines`: the runtime's progress (a pull's) before a run starts. */
  showLines(lines: string[]): void {
    this.reset();
    this.write(Buffer.from(lines.join('\r\n')));
  }

  /** Show the runtime's own error on the screen, in red, where the person is looking. */
  printError(message: string): void {
    this.write(Buffer.from(`\r\n\x1b[31mbaby-docker: ${message}\x1b[0m\r\n`));
  }

  /** Stop following the container; what it showed stays on screen. */
  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.container = null;
    this.resumeOutput();
  }

  /**
   * Resolves once everything written so far is on the screen, and tells the
   * listeners now. What a flood held back for the history is parsed after
   * (see holdBack): its screen is shown already.
   */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.notifyNow();
        resolve();
      };
      if (this.screenIsCurrent()) done();
      else this.parsedWaiters.push(done);
      if (this.parsing && !this.emulatorBusy) this.feed(); // now, not at the next batch's time
    });
  }

  /** Nothing written is missing from the screen: all of it parsed, or the rest held back with its last screenful shown. */
  private screenIsCurrent(): boolean {
    return !this.parsing || (this.heldBack && !this.newOutput && !this.emulatorBusy);
  }

  resize(cols: number, rows: number): void {
    mark(`resize ${cols}x${rows} from ${this.term.cols}x${this.term.rows}${this.container ? '' : ', no container'}`);
    if (cols === this.term.cols && rows === this.term.rows) return;
    // The program's pty first: whatever the emulator then does, the program has the pane's size.
    this.container?.resize(cols, rows);
    this.term.resize(cols, rows);
    this.changed();
  }

  /**
   * Scroll the pane through its history by `lines` (up is negative; a very
   * large number goes to an end). Returns how many lines back it now shows:
   * 0 is the live screen. Output goes on meanwhile without moving the view.
   */
  scroll(lines: number): number {
    this.catchUp();
    this.term.scrollLines(lines);
    this.changed();
    return this.scrolledBack;
  }

  /**
   * Show the next line holding `text` (case as typed) above the view's top
   * line ("older") or below it ("newer"), at the view's top; how many lines
   * back the view then is, or null when no line holds it.
   */
  find(text: string, direction: 'older' | 'newer'): number | null {
    this.catchUp();
    const buffer = this.term.buffer.active;
    const step = direction === 'older' ? -1 : 1;
    for (let y = buffer.viewportY + step; y >= 0 && y < buffer.length; y += step) {
      if (!buffer.getLine(y)?.translateToString(true).includes(text)) continue;
      this.term.scrollToLine(Math.min(y, buffer.baseY));
      this.changed();
      return this.scrolledBack;
    }
    return null;
  }

  /** The text the pane shows now (live or scrolled back), a line each, blank lines at its end left out. */
  viewText(): string {
    this.catchUp();
    const buffer = this.term.buffer.active;
    const lines = Array.from({ length: this.term.rows }, (_, y) => buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  /** The program takes mouse reports (SGR form, the one the pane sends). */
  get wantsMouse(): boolean {
    return this.sgrMouse && this.term.modes.mouseTrackingMode !== 'none';
  }

  /** A full-screen program's screen (vi, less, top): it has no history to scroll. */
  get onAlternateScreen(): boolean {
    return this.term.buffer.active.type === 'alternate';
  }

  /** Start a selection at the pane's cell (col, row from 0, as the view shows it), or move its free end there. */
  select(col: number, row: number, extend: boolean): void {
    this.catchUp();
    const at = { x: col, y: this.term.buffer.active.viewportY + row };
    this.selection = extend && this.selection ? { ...this.selection, head: at } : { anchor: at, head: at };
    this.changed();
  }

  /** The selected text, a line each, trailing blanks left out; '' when nothing (or one cell's click) is selected. */
  selectedText(): string {
    if (!this.selection) return '';
    const [from, to] = selectionBounds(this.selection);
    if (from.y === to.y && from.x === to.x) return '';
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = from.y; y <= to.y; y++) {
      const line = buffer.getLine(y);
      const start = y === from.y ? from.x : 0;
      const end = y === to.y ? to.x + 1 : this.term.cols;
      lines.push(line?.translateToString(true, start, end) ?? '');
    }
    return lines.join('\n');
  }

  clearSelection(): void {
    if (!this.selection) return;
    this.selection = null;
    this.changed();
  }

  /** Lines between the view and the live screen. */
  get scrolledBack(): number {
    const buffer = this.term.buffer.active;
    return buffer.baseY - buffer.viewportY;
  }

  /** Send keys typed by the person, as the program inside expects them. */
  sendKeys(keys: string): void {
    this.container?.write(this.term.modes.applicationCursorKeysMode ? toApplicationCursorKeys(keys) : keys);
  }

  snapshot(): ScreenSnapshot {
    if (this.snapshotCache?.version !== this.version) {
      const shown = this.heldBack && this.preview && this.scrolledBack === 0 ? this.preview : this.term;
      this.snapshotCache = { version: this.version, snapshot: snapshotScreen(shown, this.cursorVisible, this.selection) };
    }
    return this.snapshotCache.snapshot;
  }

  /** Resolves once the listeners have next been told of a change (they draw it at once), or after `ms` without one. */
  nextFrame(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.frameWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.frameWaiters.add(done);
    });
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
    this.queued = [];
    this.frameTimer?.();
    this.term.dispose();
    this.preview?.dispose();
  }

  private write(data: Buffer): void {
    this.newOutput = true;
    this.pendingBytes += data.length;
    this.queued.push(data);
    if (this.flooding && !this.emulatorBusy && this.pendingBytes > this.compactAt) this.compact();
    if (!this.paused && this.pendingBytes > HIGH_WATER) {
      this.paused = true;
      this.container?.pause();
    }
    if (!this.parsing) {
      this.parsing = true;
      this.scheduleFeed();
    }
  }

  /**
   * Output after a quiet spell goes in at once (with all read in the same turn
   * of the event loop): a key's echo shows without delay. In a flood, batches
   * are FEED_MS apart, so they are big and jump scrolling drops most lines;
   * in a flood of plain lines FLOOD_FEED_MS apart, which spares the emulator
   * and the frames their work, and leaves the cores to the program and the pty.
   */
  private scheduleFeed(): void {
    const wait = this.lastFeedAt + (this.flooding ? FLOOD_FEED_MS : FEED_MS) - Date.now();
    this.feedTimer = later(wait, () => this.feed());
  }

  /** What is queued, with the lines that would scroll off unseen dropped now; stop when it cannot be cut (not plain lines). */
  private compact(): void {
    if (!this.canJumpScroll()) {
      this.flooding = false;
      return;
    }
    const kept = dropScrolledOffLines(this.queued, this.term.rows, this.keptLines(), this.plainChunks);
    if (!kept) {
      // Too few lines yet, or not plain ones: try again once twice as much waits (the next batch decides which).
      this.compactAt = 2 * this.pendingBytes;
      return;
    }
    this.queued = [...kept.chunks];
    this.plainChunks = kept.plainChunks;
    this.pendingBytes = byteLength(this.queued); // nothing is being parsed: the queue is all there is
    // What is kept (the screen and its history) is cut again once as much more has come: not at every read.
    this.compactAt = Math.max(FLOOD_COMPACT_BYTES, 2 * this.pendingBytes);
  }

  /**
   * Give the emulator everything queued, as one batch, once it has parsed the
   * previous one: then its state is that of the batch's start, which jump
   * scrolling needs, and a flood costs one parse call per batch, not per read.
   */
  private feed(): void {
    this.feedTimer?.();
    this.feedTimer = null;
    if (this.queued.length === 0) {
      this.parsing = false;
      for (const waiter of this.parsedWaiters.splice(0)) waiter();
      return;
    }
    const newOutput = this.newOutput;
    this.lastFeedAt = Date.now();
    const { data, batchBytes, jump } = this.takeQueue();
    // What a flood held back is its end: the flood is still on, as far as anyone can tell.
    this.flooding = data.length < batchBytes || (this.heldBack && !newOutput);
    this.compactAt = FLOOD_COMPACT_BYTES;
    const floodLike = this.flooding || batchBytes >= HOLD_BACK_BYTES;
    if (jump && floodLike && newOutput && this.scrolledBack === 0 && this.holdBack(data, batchBytes)) return;
    // A key's echo, a prompt: parsed now, not after the emulator's own timer (a millisecond or more).
    if (data.length <= SYNC_PARSE_BYTES) return this.parseNow(data, batchBytes);
    this.emulatorBusy = true;
    const generation = this.generation;
    this.term.write(data, () => {
      if (generation === this.generation) this.batchParsed(batchBytes);
    });
  }

  /** Parse a batch at once: xterm's core does it when told to, which is not in its public API. */
  private parseNow(data: Buffer, batchBytes: number): void {
    (this.term as unknown as { _core: SyncWriter })._core.writeSync(data);
    this.batchParsed(batchBytes);
  }

  /** A batch is in the emulator: what waited for it goes on. */
  private batchParsed(batchBytes: number): void {
    this.emulatorBusy = false;
    this.heldBack = false;
    this.pendingBytes -= batchBytes;
    this.afterBatch();
  }

  private afterBatch(): void {
    if (this.pendingBytes < LOW_WATER) this.resumeOutput();
    this.changed();
    if (this.screenIsCurrent()) for (const waiter of this.parsedWaiters.splice(0)) waiter();
    if (this.queued.length) this.scheduleFeed();
    else this.feed();
  }

  /** All that is queued, as one batch, cut by jump scrolling where the emulator's state allows it; the queue is then empty. */
  private takeQueue(): { data: Buffer; batchBytes: number; jump: boolean } {
    const batch = this.queued;
    const batchBytes = byteLength(batch);
    const plainChunks = this.plainChunks;
    this.queued = [];
    this.plainChunks = 0;
    this.newOutput = false;
    const jump = this.canJumpScroll();
    const data = jump ? withScrolledOffLinesDropped(batch, this.term.rows, this.keptLines(), plainChunks) : Buffer.concat(batch);
    return { data, batchBytes, jump };
  }

  /** The history is about to be looked at: what a flood held back is parsed now, all of the queue with it. */
  private catchUp(): void {
    if (!this.heldBack || this.emulatorBusy) return;
    const { data, batchBytes } = this.takeQueue();
    this.parseNow(data, batchBytes);
  }

  /**
   * A flood's batch, cut short by jump scrolling, still holds a history's
   * worth of lines, and the next batch will push all of them out of the
   * history again: so the batch is held back, unparsed, at the head of the
   * queue (the next batch is cut together with it), and only its last
   * screenful is shown, from a small emulator of its own. Once the flood
   * stops (a feed with no new output, or one that is not a flood), the
   * emulator parses what is held back, once. A flood then costs a screenful
   * a batch, not a history's worth. Plain lines (see jumpScroll.ts) look
   * the same in any emulator, bar the colours set before them.
   */
  private holdBack(data: Buffer, batchBytes: number): boolean {
    const { cols, rows } = this.term;
    const screenful = dropScrolledOffLines([data], rows);
    if (!screenful) return false; // too few plain lines to tell the screen from its end
    this.queued = [data];
    this.pendingBytes -= batchBytes - data.length;
    this.heldBack = true;
    this.flooding = true;
    if (this.preview?.cols !== cols || this.preview.rows !== rows) {
      this.preview?.dispose();
      this.preview = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 1, logLevel: 'off' });
      applyUnicode11Widths(this.preview);
    }
    this.emulatorBusy = true;
    const generation = this.generation;
    this.preview.write(Buffer.concat([RESET, ...screenful.chunks]), () => {
      if (generation !== this.generation) return;
      this.emulatorBusy = false;
      this.afterBatch();
    });
    return true;
  }

  /** Lines a flood must keep to leave the screen and its history as they would be: the rest scrolls off unseen. */
  private keptLines(): number {
    return this.term.rows + SCROLLBACK_LINES;
  }

  /**
   * What jump scrolling needs of the emulator before a batch: no escape
   * sequence half read (a pty read can end inside one) and a scroll region
   * (DECSTBM) spanning the whole screen. Neither is in xterm's public API.
   */
  private canJumpScroll(): boolean {
    const core = (this.term as unknown as { _core?: JumpScrollState })._core;
    const buffer = core?.buffer;
    return core?._inputHandler?._parser?.currentState === PARSER_GROUND && buffer?.scrollTop === 0 && buffer.scrollBottom === this.term.rows - 1;
  }

  /** A clean screen; output not yet parsed belonged to what came before. */
  private reset(): void {
    if (this.emulatorBusy) {
      // xterm's reset() leaves a write it has queued to be parsed after it: the last run's output would land
      // on the new run's screen. So the new run gets an emulator of its own, and the writes in flight are
      // forgotten (the old emulator goes once it has parsed them).
      const old = this.term;
      old.write('', () => old.dispose());
      this.term = this.createTerminal(old.cols, old.rows);
      this.generation++;
      this.emulatorBusy = false;
      this.parsing = false;
      this.feedTimer?.();
      this.feedTimer = null;
      for (const waiter of this.parsedWaiters.splice(0)) waiter();
    } else {
      this.term.reset();
    }
    this.pendingBytes = 0; // nothing queued, nothing being parsed
    this.queued = [];
    this.plainChunks = 0;
    this.flooding = false;
    this.heldBack = false;
    this.cursorVisible = true;
    this.sgrMouse = false;
    this.selection = null;
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
    this.frameTimer = later(this.lastFrameAt + interval - Date.now(), () => this.notifyNow());
  }

  private notifyNow(): void {
    this.frameTimer?.();
    this.frameTimer = null;
    this.lastFrameAt = Date.now();
    for (const listener of this.listeners) listener();
    for (const done of [...this.frameWaiters]) done();
  }
}

const byteLength = (chunks: readonly Buffer[]): number => chunks.reduce((sum, chunk) => sum + chunk.length, 0);

/**
 * Run `fn` in `ms`, or, when that is now, once this turn of the event loop has read all its input: a
 * timer of 0 waits a whole millisecond, and a key's echo goes through two such waits (the feed, the frame).
 * Returns what cancels it.
 */
function later(ms: number, fn: () => void): () => void {
  if (ms > 0) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  }
  const immediate = setImmediate(fn);
  return () => clearImmediate(immediate);
}

/**
 * Character widths as today's terminals (and Ink, which lays out the panels) count them:
 * Unicode 11, where an emoji takes two columns; xterm's default (Unicode 6) gives it one.
 */
export function applyUnicode11Widths(term: xterm.Terminal): void {
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = '11';
}

/** Arrow and Home/End keys as sent in application cursor mode (DECCKM): ESC O x instead of ESC [ x. */
export function toApplicationCursorKeys(keys: string): string {
  return keys.replace(/\x1b\[([ABCDHF])/g, '\x1bO$1');
}
