/**
 * A shim process, started by the native core (native/child.c) rather than
 * Node's spawn: Node forks, and copying the page tables of a process as big
 * as the TUI takes 5 to 10 ms of every start; posix_spawn shares the memory
 * until the shim execs. It is reaped on a native thread, which reports its end.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { addon } from './native.js';

/** How the shim process ended: its exit code, or the signal that killed it. */
export interface ShimEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The shim's fds 0-2: pipes of ours, this process's own, or /dev/null. */
export type ShimStdio = 'pipe' | 'inherit' | 'ignore';

/** Our end of a pipe, as a stream (libuv takes it over, non-blocking). */
const readEnd = (fd: number): Readable => new net.Socket({ fd, readable: true, writable: false });
const writeEnd = (fd: number): Writable => new net.Socket({ fd, readable: false, writable: true });

export class ShimProcess {
  readonly pid: number;
  readonly stdin: Writable | null = null;
  readonly stdout: Readable | null = null;
  readonly stderr: Readable | null = null;
  /** Its fd 3, where it reports (shim.c's status lines). */
  readonly status: Readable;
  /** Resolves once it has ended and everything it wrote to our pipes has been read. */
  readonly closed: Promise<ShimEnd>;
  private end: ShimEnd | null = null;
  private readonly resolveEnd: (end: ShimEnd) => void;

  /** Start `file` with `args`; `extraFds` become its fds 4 and up (ours stay ours). */
  constructor(file: string, args: string[], stdio: ShimStdio, extraFds: number[] = []) {
    const ours: number[] = [];
    const theirs: number[] = [];
    const pipe = (): [number, number] => {
      const [read, write] = addon().childPipe();
      ours.push(read, write); // until the spawn has given away what is theirs
      return [read, write];
    };
    const fds: number[] = [];
    let pipes: { stdin: number; stdout: number; stderr: number } | null = null;
    try {
      if (stdio === 'pipe') {
        const [stdinRead, stdinWrite] = pipe();
        const [stdoutRead, stdoutWrite] = pipe();
        const [stderrRead, stderrWrite] = pipe();
        fds.push(stdinRead, stdoutWrite, stderrWrite);
        theirs.push(stdinRead, stdoutWrite, stderrWrite);
        pipes = { stdin: stdinWrite, stdout: stdoutRead, stderr: stderrRead };
      } else {
        fds.push(...(stdio === 'inherit' ? [0, 1, 2] : [-1, -1, -1]));
      }
      const [statusRead, statusWrite] = pipe();
      fds.push(statusWrite, ...extraFds);
      theirs.push(statusWrite);
      this.pid = addon().spawnChild(file, [file, ...args], fds, (code, signal) => this.ended(code, signal));
      this.status = readEnd(statusRead);
    } catch (error) {
      for (const fd of ours) fs.closeSync(fd);
      throw error;
    }
    for (const fd of theirs) fs.closeSync(fd);
    if (pipes) {
      this.stdin = writeEnd(pipes.stdin);
      this.stdout = readEnd(pipes.stdout);
      this.stderr = readEnd(pipes.stderr);
    }
    const streams = [this.status, this.stdout, this.stderr].filter((stream) => stream !== null);
    let resolveEnd!: (end: ShimEnd) => void;
    const exited = new Promise<ShimEnd>((resolve) => (resolveEnd = resolve));
    this.resolveEnd = resolveEnd;
    this.closed = Promise.all([exited, ...streams.map((stream) => new Promise((resolve) => stream.once('close', resolve)))]).then(([end]) => end);
    // As Node does for a child's stdio: once it has ended, its stdin goes (nothing reads it, and an open
    // pipe would keep this process alive), and output no one reads is drained, so that the pipes close.
    void exited.then(() => {
      this.stdin?.destroy();
      for (const stream of streams) if (stream.readableFlowing === null) stream.resume();
    });
  }

  get running(): boolean {
    return this.end === null;
  }

  /** process.kill, as long as it has not been reaped (a reaped PID may name another process). */
  kill(signal: NodeJS.Signals | number): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, signal);
    } catch (error) {
      // Reaped a moment ago, its end on its way to us: there is nothing left to signal.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  private ended(code: number | null, signal: number | null): void {
    const name = signal === null ? undefined : Object.entries(os.constants.signals).find(([, n]) => n === signal)?.[0];
    this.end = { code, signal: (name as NodeJS.Signals | undefined) ?? null };
    this.resolveEnd(this.end);
  }
}
