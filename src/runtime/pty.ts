/**
 * Container ptys. node-pty spawns the program on a new pty and owns it: its
 * process, its size, what is typed into it. The output is read by the native
 * core on a thread of its own (native/pty_reader.c), not by node-pty's stream:
 * a pty master gives at most a few KiB a read, so a flood is a long run of
 * small reads, and node-pty's stream runs JavaScript for each (an event, a
 * Buffer, garbage) on the thread that also draws the UI. The native thread
 * reads on whatever JavaScript is doing, and the output is taken from it in
 * a few big batches: one as soon as output comes after a quiet spell (a key's
 * echo), then at most one every BATCH_MS while it keeps coming.
 */
import { createRequire } from 'node:module';
import * as os from 'node:os';
import type { IPty } from 'node-pty';
import { addon, type PtyReader } from './native.js';

/** Batches are at least this far apart: in a flood, each costs more than the bytes it carries. */
const BATCH_MS = 5;
/** Output not taken beyond this stops the reading: JavaScript that stalls cannot grow memory without bound. */
const HIGH_WATER = 8 * 1024 * 1024;

export interface PtySpawnOptions {
  name: string;
  cols: number;
  rows: number;
  cwd: string;
  env: Record<string, string>;
}

export interface PtyListeners {
  /** Output, in order, in batches of any size, each of whole UTF-8 characters. */
  onOutput(data: Buffer): void;
  /** After the last output, once the process has been reaped. `readError` says why output stopped short, if it did. */
  onExit(end: ProcessEnd, readError: string | null): void;
}

/** What node-pty keeps to itself: the master's fd, and the stream that would read it. */
interface NodePtyInternals {
  fd: number;
  _socket: { _read(): void; destroy(): void };
}

/** How a process ended: its exit code, or the signal that killed it. */
export interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process on a pty of its own. */
export class HostPty {
  private reader: PtyReader | null;
  private batchTimer: NodeJS.Timeout | null = null;
  private lastTakeAt = 0;
  private end: ProcessEnd | null = null;
  private readError: string | null = null;
  private reported = false;

  constructor(
    private readonly pty: IPty,
    private readonly listeners: PtyListeners,
  ) {
    const internals = pty as unknown as NodePtyInternals;
    if (typeof internals.fd !== 'number' || typeof internals._socket?.destroy !== 'function') {
      pty.kill('SIGKILL');
      throw new Error('node-pty keeps its pty elsewhere than pty.ts looks (a new version?): adapt NodePtyInternals');
    }
    // node-pty's stream never reads: the native reader has the pty to itself, and no byte goes astray.
    internals._socket._read = () => {};
    try {
      this.reader = addon().ptyReaderStart(internals.fd, HIGH_WATER, () => this.outputWaits());
    } catch (error) {
      pty.kill('SIGKILL');
      throw error;
    }
    pty.onExit(({ exitCode, signal }) => {
      // node-pty gives the signal's number, 0 for none.
      const name = Object.entries(os.constants.signals).find(([, n]) => n === signal)?.[0] as NodeJS.Signals | undefined;
      this.end = name ? { code: null, signal: name } : { code: exitCode, signal: null };
      this.reportExit();
    });
  }

  get pid(): number {
    return this.pty.pid;
  }

  /** Typed into the pty; nothing once its output has ended. */
  write(data: string): void {
    if (this.reader) this.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    if (this.reader) this.pty.resize(cols, rows);
  }

  /** Stop reading its output (the program blocks once the pty is full) until resume. */
  pause(): void {
    if (this.reader) addon().ptyReaderPause(this.reader, true);
  }

  resume(): void {
    if (this.reader) addon().ptyReaderPause(this.reader, false);
  }

  private outputWaits(): void {
    if (!this.reader || this.batchTimer) return;
    const wait = this.lastTakeAt + BATCH_MS - performance.now();
    if (wait <= 0) return this.take();
    this.batchTimer = setTimeout(() => this.take(), wait);
  }

  private take(): void {
    this.batchTimer = null;
    const reader = this.reader;
    if (!reader) return;
    this.lastTakeAt = performance.now();
    const { data, ended, error } = addon().ptyReaderTake(reader);
    if (ended) {
      this.reader = null;
      addon().ptyReaderFree(reader);
      this.readError = error || null;
      // Output that cannot be read would block the program for good: end it, and say why.
      if (error) this.pty.kill('SIGKILL');
      // node-pty reports the exit once its stream has closed (or 200 ms after the process ended).
      (this.pty as unknown as NodePtyInternals)._socket.destroy();
    }
    if (data) this.listeners.onOutput(data);
    if (ended) this.reportExit();
  }

  private reportExit(): void {
    if (this.reader || this.end === null || this.reported) return;
    this.reported = true;
    this.listeners.onExit(this.end, this.readError);
  }
}

let nodePty: typeof import('node-pty') | undefined;

/** Run `file` on a new pty. */
export function spawnPty(file: string, args: string[], options: PtySpawnOptions, listeners: PtyListeners): HostPty {
  // Loaded on first use: `baby-docker run` without a terminal never needs it.
  nodePty ??= createRequire(import.meta.url)('node-pty') as typeof import('node-pty');
  return new HostPty(nodePty.spawn(file, args, { ...options, encoding: null }), listeners);
}
