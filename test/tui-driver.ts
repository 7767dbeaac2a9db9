/**
 * Drives the built baby-docker-tui in a real terminal: the CLI runs under
 * node-pty, and everything it prints goes through an @xterm/headless
 * emulator of the same size, so tests assert on what a person would see.
 */
import xterm from '@xterm/headless';
import { spawn, type IPty } from 'node-pty';
import { applyUnicode11Widths } from '../src/ui/services/terminalSession.js';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built TUI entry (dist/src/cli/baby-docker-tui.js), next to this file's dist/test/. */
export const TUI_CLI_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'baby-docker-tui.js');

export interface TuiExit {
  exitCode: number;
  signal: number | undefined;
}

export interface TuiDriverOptions {
  cols?: number;
  rows?: number;
  /** Added to (and overriding) the inherited environment, after CI=false and TERM. */
  env?: Record<string, string>;
  /** Words to run the CLI under, e.g. ['setpriv', '--reuid=65534', ...]. */
  wrapper?: string[];
  cwd?: string;
}

/** How often waitFor looks at the screen. */
const POLL_MS = 25;

export class TuiDriver {
  readonly term: xterm.Terminal;
  readonly pty: IPty;
  /** Resolves once the process has ended and all its output is in the emulator. */
  readonly exited: Promise<TuiExit>;
  /** Every byte the process printed, as received. */
  output = '';
  private exitStatus: TuiExit | null = null;

  constructor(args: string[], options: TuiDriverOptions = {}) {
    const cols = options.cols ?? 140;
    const rows = options.rows ?? 40;
    // Scrollback 1, not 0: with none, xterm 6 throws on a line feed after some resizes (see terminalSession.ts).
    this.term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 1 });
    applyUnicode11Widths(this.term); // as tmux and today's terminals count emoji
    const [file, ...wrapperArgs] = [...(options.wrapper ?? []), process.execPath];
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    // With CI set, Ink 6 ignores resizes and prints only the final frame: the test runner may set it.
    Object.assign(env, { CI: 'false', TERM: 'xterm-256color' }, options.env ?? {});
    this.pty = spawn(file, [...wrapperArgs, TUI_CLI_PATH, ...args], {
      name: 'xterm-256color',
      cols,
      rows,
      cwd: options.cwd ?? process.cwd(),
      env,
    });
    this.pty.onData((data) => {
      this.output += data;
      this.term.write(data);
    });
    // Replies to the program's terminal queries (device attributes, cursor position) go back, as a real terminal's do.
    this.term.onData((reply) => {
      if (this.exitStatus === null) this.pty.write(reply);
    });
    this.exited = new Promise<TuiExit>((resolve) => {
      this.pty.onExit(({ exitCode, signal }) => {
        this.exitStatus = { exitCode, signal: signal || undefined };
        void this.settled().then(() => resolve(this.exitStatus!));
      });
    });
  }

  get pid(): number {
    return this.pty.pid;
  }

  /** Whether the process has ended. */
  get hasExited(): boolean {
    return this.exitStatus !== null;
  }

  /** Resolves once everything received so far has been parsed by the emulator. */
  settled(): Promise<void> {
    return new Promise((resolve) => this.term.write('', resolve));
  }

  /** The visible lines of the active buffer (normal or alternate), joined with \n. Call after settled(). */
  screenText(): string {
    return this.screenLines().join('\n');
  }

  /** The visible lines of the active buffer, trailing blanks trimmed. */
  screenLines(): string[] {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    return lines;
  }

  /** The text of a rectangle of the screen: columns [x, x + width), rows [y, y + height). */
  region(x: number, y: number, width: number, height: number): string[] {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let row = y; row < y + height; row++) {
      lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(false, x, x + width) ?? '');
    }
    return lines;
  }

  /**
   * Wait until the screen matches: a RegExp or substring of screenText(), or
   * a predicate of this driver (for conditions on a region). Polls every
   * 25 ms after the emulator has parsed all output, and only whole frames:
   * never while synchronized output (DEC mode 2026, which Ink brackets each
   * frame with) is on. Fails with the screen on timeout, or at once if the
   * process ends without the screen matching.
   */
  async waitFor(pattern: RegExp | string | ((driver: TuiDriver) => boolean), timeoutMs = 10_000): Promise<void> {
    const matches = (): boolean => {
      if (typeof pattern === 'function') return pattern(this);
      const text = this.screenText();
      return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
    };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const exitedBefore = this.exitStatus !== null;
      await this.settled();
      // Mid-frame (between Ink's synchronized-output brackets) the screen is half old, half new: look only at whole frames.
      const midFrame = this.term.modes.synchronizedOutputMode;
      if (!midFrame && matches()) return;
      if (exitedBefore) {
        throw new Error(
          `the TUI exited (${JSON.stringify(this.exitStatus)}) and the screen never matched ${describe(pattern)}; screen:\n${this.screenText()}`,
        );
      }
      if (Date.now() >= deadline) {
        const note = midFrame ? ' (synchronized output still on: the last frame never ended)' : '';
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe(pattern)}${note}; screen:\n${this.screenText()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Type keys, as raw terminal input. */
  write(keys: string): void {
    this.pty.write(keys);
  }

  /** Resize the terminal: the pty (SIGWINCH to the TUI) and the emulator together. */
  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
    this.pty.resize(cols, rows);
  }

  /** Send a signal to the TUI process (by its pid), if it still runs. */
  signal(signal: NodeJS.Signals): void {
    if (this.exitStatus !== null) return;
    try {
      process.kill(this.pty.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /**
   * End the TUI if it still runs: SIGTERM (it removes its container and
   * restores the terminal), then SIGKILL if it has not gone within
   * `graceMs`. Resolves with its exit. Safe to call more than once.
   */
  async kill(graceMs = 15_000): Promise<TuiExit> {
    if (this.exitStatus === null) {
      this.signal('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
      if ((await Promise.race([this.exited, late])) === 'late') this.signal('SIGKILL');
      clearTimeout(timer);
    }
    return this.exited;
  }
}

function describe(pattern: RegExp | string | ((driver: TuiDriver) => boolean)): string {
  if (typeof pattern === 'function') return `the condition ${pattern.name || pattern.toString().slice(0, 200)}`;
  return typeof pattern === 'string' ? JSON.stringify(pattern) : String(pattern);
}
