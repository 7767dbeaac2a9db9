/**
 * A container's terminal as the runtime holds it: the master of a pty of the
 * container's own devpts, handed over by its shim (native/shim.c's
 * --console-fd) and served by the native core on a thread of its own
 * (native/pty_master.c). Output comes straight from the container's pty, with
 * no relay between. A pty master gives at most a few KiB a read, so a flood is
 * a long run of small reads: the native thread reads on whatever JavaScript is
 * doing, and the output is taken from it in a few big batches: one as soon as
 * output comes after a quiet spell (a key's echo), then at most one every
 * BATCH_MS while it keeps coming.
 */
import { addon, type PtyMasterHandle } from './native.js';

/** Batches are at least this far apart: in a flood, each costs more than the bytes it carries. */
const BATCH_MS = 5;
/** Output not taken beyond this stops the reading: JavaScript that stalls cannot grow memory without bound. */
const HIGH_WATER = 8 * 1024 * 1024;

/** The console's master, read, written and sized here. */
export class PtyMaster {
  /** Resolves once all output has been delivered: null, or why reading stopped short. */
  readonly ended: Promise<string | null>;
  private handle: PtyMasterHandle | null;
  private batchTimer: NodeJS.Timeout | null = null;
  private lastTakeAt = 0;
  private resolveEnded!: (readError: string | null) => void;

  /** Serve `fd` (ours from now on); `onOutput` gets the output, in order, in batches of whole UTF-8 characters. */
  constructor(
    fd: number,
    private readonly onOutput: (data: Buffer) => void,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.handle = addon().ptyMasterStart(fd, HIGH_WATER, () => this.outputWaits());
  }

  /** Typed into the pty; nothing once its output has ended. */
  write(data: string): void {
    if (this.handle) addon().ptyMasterWrite(this.handle, Buffer.from(data));
  }

  /** The kernel tells the program (SIGWINCH). */
  resize(cols: number, rows: number): void {
    if (this.handle) addon().ptyMasterResize(this.handle, cols, rows);
  }

  /** Stop reading its output (the program blocks once the pty is full) until resume. */
  pause(): void {
    if (this.handle) addon().ptyMasterPause(this.handle, true);
  }

  resume(): void {
    if (this.handle) addon().ptyMasterPause(this.handle, false);
  }

  /** Its program has ended: the output ends once what it left is read, even while a background job holds the pty. */
  finish(): void {
    if (this.handle) addon().ptyMasterFinish(this.handle);
  }

  private outputWaits(): void {
    if (!this.handle || this.batchTimer) return;
    const wait = this.lastTakeAt + BATCH_MS - performance.now();
    if (wait <= 0) return this.take();
    this.batchTimer = setTimeout(() => this.take(), wait);
  }

  private take(): void {
    this.batchTimer = null;
    const handle = this.handle;
    if (!handle) return;
    this.lastTakeAt = performance.now();
    const { data, ended, error } = addon().ptyMasterTake(handle);
    if (ended) {
      this.handle = null;
      addon().ptyMasterFree(handle);
    }
    if (data) this.onOutput(data);
    if (ended) this.resolveEnded(error || null);
  }
}
