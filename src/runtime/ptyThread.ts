/**
 * Container ptys live on a worker thread of their own (ptyWorker.cts), which
 * runs node-pty. A pty master gives at most 4 KiB per read, so a flood is a
 * long run of small reads; on the main thread every frame drawn, every
 * emulator parse and Ink's own loading would stall them, and the program
 * inside with them. On their own thread they go on meanwhile, and the main
 * thread takes the output in a few big batches. One thread serves every pty
 * of the process, so only the first start pays for starting it.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EXIT } from './errors.js';
import { PACKAGE_ROOT } from './native.js';

/**
 * Compiled next to this file; the bundled TUI finds it at the same place.
 * CommonJS: a worker starts some 10 ms sooner without the ES module loader.
 */
const WORKER_PATH = path.join(PACKAGE_ROOT, 'dist', 'src', 'runtime', 'ptyWorker.cjs');

export interface PtySpawnOptions {
  name: string;
  cols: number;
  rows: number;
  cwd: string;
  env: Record<string, string>;
}

export type ToPtyThread =
  | { kind: 'spawn'; id: number; file: string; args: string[]; options: PtySpawnOptions }
  | { kind: 'write'; id: number; data: string }
  | { kind: 'resize'; id: number; cols: number; rows: number }
  | { kind: 'pause' | 'resume' | 'taken'; id: number };

export type FromPtyThread =
  | { kind: 'spawned'; id: number; pid: number }
  | { kind: 'failed'; id: number; message: string }
  | { kind: 'output'; id: number; data: Uint8Array }
  | { kind: 'exit'; id: number; exitCode: number };

export interface PtyListeners {
  /** Output, in order, in batches of any size, each of whole UTF-8 characters. */
  onOutput(data: Buffer): void;
  /** After the last output. */
  onExit(exitCode: number): void;
}

/** A process on a pty of the pty thread. */
export class ThreadPty {
  constructor(
    private readonly thread: PtyThread,
    private readonly id: number,
    readonly pid: number,
  ) {}

  write(data: string): void {
    this.thread.send({ kind: 'write', id: this.id, data });
  }

  resize(cols: number, rows: number): void {
    this.thread.send({ kind: 'resize', id: this.id, cols, rows });
  }

  /** Stop reading its output (the program blocks once the pty is full) until resume. */
  pause(): void {
    this.thread.send({ kind: 'pause', id: this.id });
  }

  resume(): void {
    this.thread.send({ kind: 'resume', id: this.id });
  }
}

interface Pending {
  listeners: PtyListeners;
  spawned?: (pty: ThreadPty) => void;
  failed?: (error: Error) => void;
}

class PtyThread {
  private readonly worker = new Worker(WORKER_PATH);
  private readonly ptys = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    // The thread keeps the process alive only while one of its ptys does.
    this.worker.unref();
    this.worker.on('message', (message: FromPtyThread) => this.receive(message));
    // Only a bug ends the thread: its ptys end with it, and the next start gets a new thread.
    this.worker.on('error', (error) => {
      if (thread === this) thread = undefined;
      for (const [id, pending] of this.ptys) {
        this.end(id, () => (pending.failed ? pending.failed(error) : pending.listeners.onExit(EXIT.RUNTIME)));
      }
    });
  }

  spawn(file: string, args: string[], options: PtySpawnOptions, listeners: PtyListeners): Promise<ThreadPty> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.ptys.size === 0) this.worker.ref();
      this.ptys.set(id, { listeners, spawned: resolve, failed: reject });
      this.send({ kind: 'spawn', id, file, args, options });
    });
  }

  send(message: ToPtyThread): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromPtyThread): void {
    const pending = this.ptys.get(message.id);
    if (!pending) return;
    switch (message.kind) {
      case 'spawned':
        pending.spawned?.(new ThreadPty(this, message.id, message.pid));
        pending.spawned = pending.failed = undefined;
        return;
      case 'failed':
        return this.end(message.id, () => pending.failed?.(new Error(message.message)));
      case 'output':
        pending.listeners.onOutput(Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength));
        return this.send({ kind: 'taken', id: message.id });
      case 'exit':
        return this.end(message.id, () => pending.listeners.onExit(message.exitCode));
    }
  }

  private end(id: number, report: () => void): void {
    this.ptys.delete(id);
    if (this.ptys.size === 0) this.worker.unref();
    report();
  }
}

let thread: PtyThread | undefined;

/**
 * Start the pty thread now, so that the first container start does not wait
 * for it: Node takes some 40 ms to start a thread, which can then overlap
 * with the caller's own start-up.
 */
export function startPtyThread(): void {
  thread ??= new PtyThread();
}

/** Run `file` on a new pty of the pty thread; resolves once it has been spawned. */
export function spawnOnPtyThread(file: string, args: string[], options: PtySpawnOptions, listeners: PtyListeners): Promise<ThreadPty> {
  startPtyThread();
  return thread!.spawn(file, args, options, listeners);
}
