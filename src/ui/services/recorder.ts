/**
 * Records the pane as an asciicast v2 file (what `asciinema play` replays):
 * a header line, then one JSON line per event, [seconds, "o", text] for what
 * the pane is given to show (TerminalSession.onOutput: runs follow each other,
 * each from a reset screen) and [seconds, "r", "COLSxROWS"] for a resize.
 * No React in it.
 */
import * as fs from 'node:fs';
import { RuntimeError } from '../../runtime/errors.js';

export class Recorder {
  private readonly fd: number;
  private readonly startedAt: number;

  /** Start recording to `file`, which must not exist yet (a recording never overwrites a file). */
  constructor(
    readonly file: string,
    size: { cols: number; rows: number },
    title: string,
    now = Date.now(),
  ) {
    try {
      this.fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o644);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new RuntimeError(
        code === 'EEXIST'
          ? `cannot record to ${file}: it exists already (choose a new file name)`
          : `cannot record to ${file}: ${code ?? (error as Error).message}`,
      );
    }
    this.startedAt = now;
    const header = { version: 2, width: size.cols, height: size.rows, timestamp: Math.floor(now / 1000), title, env: { TERM: 'xterm-256color' } };
    this.line(JSON.stringify(header));
  }

  /** What the pane was given to show, as it came. */
  output(text: string, now = Date.now()): void {
    this.event(now, 'o', text);
  }

  resize(cols: number, rows: number, now = Date.now()): void {
    this.event(now, 'r', `${cols}x${rows}`);
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private event(now: number, kind: 'o' | 'r', data: string): void {
    this.line(JSON.stringify([Math.max(0, now - this.startedAt) / 1000, kind, data]));
  }

  private line(text: string): void {
    fs.writeSync(this.fd, `${text}\n`);
  }
}
