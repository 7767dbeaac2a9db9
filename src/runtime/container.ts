/**
 * Starting containers and the handle to a running one. Both the CLI and the
 * UI use this; the container itself is started by the native shim
 * (native/shim.c), spawned here with pipes, or on a pty (pty.ts).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { EXIT, RuntimeError } from './errors.js';
import { addon, SHIM_PATH, shimExecutable, type NativeStats } from './native.js';
import { LineSplitter, parseStatus, type CgroupDirs, type MemoryUsage, type StatusMessage } from './protocol.js';
import { spawnPty, type HostPty, type ProcessEnd } from './pty.js';
import { randomHex } from './random.js';
import { DEFAULT_PATH, resolveSpec, type ContainerSpec, type ResolvedSpec } from './spec.js';

export interface ExitStatus {
  /** The command's exit code, or 128 + N when killed by signal N. */
  code: number;
  /** The signal that killed the container's first process, e.g. "SIGKILL". */
  signal: string | null;
  /** The kernel's OOM killer killed a process of the container (cgroup counter). */
  oomKilled: boolean;
  /** Peak, limit and OOM kills over the whole run; null without a memory cgroup or when it never started. */
  memory: MemoryUsage | null;
  /** Why the runtime failed, for codes 125, 126 and 127. */
  error: string | null;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ContainerStats extends NativeStats {
  /** Read live from the container's UTS namespace. */
  hostname: string;
}

/** Docker's stop: SIGTERM, then SIGKILL after this long. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

type SignalSender = (signal: NodeJS.Signals | number) => void;

/** A started container, however its stdio is attached. */
export class Container {
  private exitStatus: ExitStatus | null = null;

  constructor(
    /** Short id: also the default hostname and the cgroup's name. */
    readonly id: string,
    /** The container's first process as the host sees it (PID 1 inside). */
    readonly hostPid: number,
    readonly cgroup: CgroupDirs,
    /** What it was started with, checked and filled in. */
    readonly spec: ResolvedSpec,
    private readonly exited: Promise<ExitStatus>,
    private readonly sendSignal: SignalSender,
  ) {
    void exited.then((status) => (this.exitStatus = status));
  }

  /** Resolves once the container has ended, its output delivered and its cgroup removed. */
  wait(): Promise<ExitStatus> {
    return this.exited;
  }

  get running(): boolean {
    return this.exitStatus === null;
  }

  /** Send a signal to the container's first process. SIGKILL kills the
   * whole container (the shim passes every other signal on, but cannot catch
   * that one, nor SIGSTOP, which is refused). */
  signal(signal: NodeJS.Signals | number): void {
    if (signal === 'SIGKILL' || signal === os.constants.signals.SIGKILL) return this.kill();
    if (signal === 'SIGSTOP' || signal === os.constants.signals.SIGSTOP) {
      throw new RuntimeError('SIGSTOP cannot be passed to a container: send SIGTSTP instead');
    }
    if (this.running) this.sendSignal(signal);
  }

  /** Kill every process of the container at once. */
  kill(): void {
    if (this.running) this.sendSignal(addon().shimKillSignal);
  }

  /** SIGTERM, then a kill once `graceMs` has passed; resolves when it has ended. */
  async stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<ExitStatus> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.kill(), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Run `command` inside the running container, as `docker exec` does: in its
   * cgroup and namespaces, with its capabilities and seccomp filter; resolves
   * with its exit code and output. A command that cannot run gives 125, 126
   * or 127 with the reason on stderr.
   */
  exec(command: string[]): Promise<ExecResult> {
    if (!this.running) return Promise.reject(new RuntimeError(`container ${this.id} has exited`));
    if (command.length === 0 || command[0] === '') return Promise.reject(new RuntimeError('no command given to exec'));
    const args = [
      '--exec', String(this.hostPid),
      '--cgroup-version', String(this.cgroup.version), '--memory-dir', this.cgroup.memory, '--pids-dir', this.cgroup.pids,
      ...hardeningArgs(this.spec),
      ...containerEnv(this.spec, false).flatMap((entry) => ['--env', entry]),
      '--',
      ...command,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(shimFile(), args, { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code: code ?? 128 + (signal ? os.constants.signals[signal] : 0), stdout, stderr }));
    });
  }

  /** Memory and pids from the cgroup, hostname from the UTS namespace. */
  stats(): ContainerStats {
    if (!this.running) throw new RuntimeError(`container ${this.id} has exited`);
    const { memory, pids } = addon().readStats(this.cgroup.version, this.cgroup.memory, this.cgroup.pids);
    return { memory, pids, hostname: addon().readHostname(this.hostPid) };
  }
}

/** A container whose stdio are pipes (or the caller's own fds, with stdio "inherit"). */
export class PipedContainer extends Container {
  stdin: Writable | null = null;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
}

/** A container attached to a pseudo-terminal. */
export class PtyContainer extends Container {
  constructor(
    id: string,
    hostPid: number,
    cgroup: CgroupDirs,
    spec: ResolvedSpec,
    exited: Promise<ExitStatus>,
    sendSignal: SignalSender,
    private readonly output: OutputQueue,
    private readonly terminal: HostPty,
  ) {
    super(id, hostPid, cgroup, spec, exited, sendSignal);
  }

  /** Everything the container writes to its terminal, from the first byte, as bytes: each batch holds whole UTF-8 characters. */
  onData(listener: (data: Buffer) => void): () => void {
    return this.output.subscribe(listener);
  }

  /** Type into the container's terminal. */
  write(data: string): void {
    if (this.running) this.terminal.write(data);
  }

  /** Stop reading the container's output for now (it blocks when the pty fills): backpressure. */
  pause(): void {
    this.terminal.pause();
  }

  resume(): void {
    this.terminal.resume();
  }

  /** Set the terminal size; the container's foreground program gets SIGWINCH. */
  resize(cols: number, rows: number): void {
    if (this.running) this.terminal.resize(cols, rows);
  }
}

/** Holds output until someone listens, so nothing written before the handle exists is lost. */
class OutputQueue {
  private pending: Buffer[] = [];
  private readonly listeners = new Set<(data: Buffer) => void>();

  push(data: Buffer): void {
    if (this.listeners.size === 0) this.pending.push(data);
    for (const listener of this.listeners) listener(data);
  }

  subscribe(listener: (data: Buffer) => void): () => void {
    this.listeners.add(listener);
    for (const data of this.pending.splice(0)) listener(data);
    return () => this.listeners.delete(listener);
  }
}

interface Started {
  hostPid: number;
  cgroup: CgroupDirs;
}

/** Follows one shim through its status messages. */
class ShimSession {
  readonly started: Promise<Started>;
  readonly exited: Promise<ExitStatus>;
  private resolveStart!: (s: Started) => void;
  private rejectStart!: (e: Error) => void;
  private resolveExit!: (s: ExitStatus) => void;
  private lastExit: ExitStatus | null = null;
  private isStarted = false;

  constructor() {
    this.started = new Promise((resolve, reject) => {
      this.resolveStart = resolve;
      this.rejectStart = reject;
    });
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  receive(message: StatusMessage | null): void {
    if (message?.kind === 'start') {
      this.isStarted = true;
      this.resolveStart({ hostPid: message.hostPid, cgroup: message.cgroup });
    } else if (message?.kind === 'exit') {
      const { kind: _, ...status } = message;
      this.lastExit = status;
    }
  }

  /** The shim is done: its last "exit" message is the result; without one, how the shim itself ended. */
  finish(shim: ProcessEnd, readError: string | null = null): void {
    const detail = readError ? `; ${readError}` : '';
    const status = this.lastExit ?? {
      code: shim.signal ? 128 + os.constants.signals[shim.signal] : shim.code || EXIT.RUNTIME,
      signal: null,
      oomKilled: false,
      memory: null,
      error: shim.signal
        ? `the runtime shim was killed by ${shim.signal} before it reported how the container ended${detail}`
        : `the runtime shim ended without a status (exit code ${shim.code}${detail})`,
    };
    // A shim that ended without its exit message did not clean up after its container: that is done now.
    if (!this.lastExit) reclaimDeadRuns();
    if (!this.isStarted) this.rejectStart(new RuntimeError(status.error ?? 'the container did not start', status.code));
    this.resolveExit(status);
  }

  fail(error: Error): void {
    this.lastExit = { code: EXIT.RUNTIME, signal: null, oomKilled: false, memory: null, error: shimStartError(error) };
    this.finish({ code: EXIT.RUNTIME, signal: null });
  }
}

/** Remove what runs whose shim died left (cgroups, state): best effort, as the next start does it too. */
function reclaimDeadRuns(): void {
  try {
    addon().gc();
  } catch {
    // The next start, or baby-docker gc, collects what is left.
  }
}

/** The shim to exec (its sealed copy), or why there is none and what to do about it. */
function shimFile(): string {
  try {
    return shimExecutable();
  } catch (error) {
    if (!fs.existsSync(SHIM_PATH)) throw new RuntimeError(`the runtime shim is missing at ${SHIM_PATH}: run npm install`);
    throw new RuntimeError(`cannot start the runtime shim: ${(error as Error).message}`);
  }
}

/** Why the shim could not be spawned, and what to do about it. */
function shimStartError(error: Error): string {
  return (error as NodeJS.ErrnoException).code === 'ENOENT'
    ? `the runtime shim is missing at ${SHIM_PATH}: run npm install`
    : `cannot start the runtime shim: ${error.message}`;
}

function newId(): string {
  return randomHex(6);
}

function containerEnv(spec: ResolvedSpec, tty: boolean): string[] {
  const env: Record<string, string> = {
    PATH: DEFAULT_PATH,
    HOME: '/root',
    HOSTNAME: spec.hostname,
    ...(tty ? { TERM: 'xterm-256color' } : {}),
    ...spec.env,
  };
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

function hardeningArgs(spec: ResolvedSpec): string[] {
  return spec.capabilities === null ? ['--no-hardening'] : ['--caps', spec.capabilities.toString()];
}

/** Where the shim reports: fd 3 (a pipe), or a unix socket when it is spawned on a pty. */
type StatusChannel = { fd: 3 } | { socket: string };

function shimArgs(id: string, spec: ResolvedSpec, tty: boolean, status: StatusChannel): string[] {
  return [
    '--id', id,
    '--rootfs', spec.rootfs,
    '--hostname', spec.hostname,
    '--memory', String(spec.memory),
    '--pids', String(spec.pids),
    '--parent', String(process.pid),
    ...(tty ? ['--tty'] : []),
    ...('socket' in status ? ['--status-socket', status.socket] : ['--status-fd', '3']),
    ...(spec.init ? ['--init'] : []),
    ...hardeningArgs(spec),
    ...containerEnv(spec, tty).flatMap((entry) => ['--env', entry]),
    '--',
    ...spec.command,
  ];
}

export interface PipedOptions {
  /** "pipe" (default) gives the handle stdin/stdout/stderr streams; "inherit" passes ours. */
  stdio?: 'pipe' | 'inherit';
}

/** Start a container with pipes for stdio. Rejects with a RuntimeError (125) when it cannot start. */
export async function start(spec: ContainerSpec, options: PipedOptions = {}): Promise<PipedContainer> {
  const id = newId();
  const resolved = await resolveSpec(spec, id);
  const stdio = options.stdio ?? 'pipe';
  // Its own session: signals from our terminal reach the container through us, once.
  const child = spawn(shimFile(), shimArgs(id, resolved, false, { fd: 3 }), {
    stdio: [stdio, stdio, stdio, 'pipe'],
    detached: true,
    env: {},
  });
  const session = new ShimSession();
  readStatus(child.stdio[3] as Readable, session);
  child.on('error', (error) => session.fail(error));
  child.on('close', (code, signal) => session.finish({ code, signal }));
  const started = await session.started;
  // process.kill, not child.kill: Node refuses the real-time signal the shim takes as "kill".
  const sendSignal: SignalSender = (sig) => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, sig);
  };
  const container = new PipedContainer(id, started.hostPid, started.cgroup, resolved, session.exited, sendSignal);
  container.stdin = child.stdin;
  container.stdout = child.stdout;
  container.stderr = child.stderr;
  return container;
}

export interface PtyOptions {
  cols: number;
  rows: number;
  /** Called once the container's process exists, while it sets the container up. */
  onSpawn?: () => void;
}

/** Start a container attached to a new pseudo-terminal of the given size. */
export async function startPty(spec: ContainerSpec, { cols, rows, onSpawn }: PtyOptions): Promise<PtyContainer> {
  const id = newId();
  const resolved = await resolveSpec(spec, id);
  const session = new ShimSession();
  const output = new OutputQueue();
  const shim = shimFile();
  const status = await listenForStatus(id);
  // Finished once both the pty (all output read, the shim reaped) and the status channel have ended.
  let ptyEnd: { end: ProcessEnd; readError: string | null } | null = null;
  let statusEnded = false;
  const finish = () => {
    if (ptyEnd && statusEnded) session.finish(ptyEnd.end, ptyEnd.readError);
  };
  status.server.once('connection', (socket) => {
    status.server.close();
    readStatus(socket, session);
    socket.on('close', () => {
      statusEnded = true;
      finish();
    });
  });
  let pty: HostPty;
  try {
    pty = spawnPty(shim, shimArgs(id, resolved, true, { socket: status.path }), {
      name: 'xterm-256color',
      cols,
      rows,
      cwd: '/',
      env: {},
    }, {
      onOutput: (chunk) => output.push(chunk),
      onExit: (end, readError) => {
        ptyEnd = { end, readError };
        if (status.server.listening) {
          // A shim that failed before connecting said why on the pty; one that
          // connected just now is still to be accepted: give it a moment.
          setTimeout(() => {
            if (!status.server.listening) return;
            status.server.close();
            statusEnded = true;
            finish();
          }, STATUS_CONNECT_GRACE_MS);
        }
        finish();
      },
    });
  } catch (error) {
    status.server.close();
    throw new RuntimeError(shimStartError(error as Error));
  }
  onSpawn?.();
  const started = await session.started;
  return new PtyContainer(
    id, started.hostPid, started.cgroup, resolved, session.exited,
    (sig) => process.kill(pty.pid, sig), output, pty,
  );
}

/** How long a shim's connection may lag behind its exit (both arrive in one turn of the event loop, in either order). */
const STATUS_CONNECT_GRACE_MS = 200;

/** Status lines from a pipe or socket, into the session. */
function readStatus(stream: Readable, session: ShimSession): void {
  const lines = new LineSplitter();
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => lines.push(chunk, (line) => session.receive(parseStatus(line))));
}

/**
 * Where a shim spawned on a pty reports, having no fd of ours: a unix socket in
 * the runtime's state directory, which only root can reach (the container
 * cannot: it is outside its root). Closing the server once the shim has
 * connected removes the file; gc removes one whose creator died first.
 */
async function listenForStatus(id: string): Promise<{ server: net.Server; path: string }> {
  const root = addon().stateRoot;
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const socketPath = path.join(root, `.status-${id}.sock`);
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new RuntimeError(`cannot listen on ${socketPath}: ${error.message}`)));
    server.listen(socketPath, resolve);
  });
  return { server, path: socketPath };
}
