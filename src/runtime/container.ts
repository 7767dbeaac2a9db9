/**
 * Starting containers and the handle to a running one. Both the CLI and the
 * UI use this; the container itself is started by the native shim
 * (native/shim.c), spawned here with pipes; on a terminal, the container's
 * pty is handed over to us (pty.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { EXIT, RuntimeError } from './errors.js';
import { addon, SHIM_PATH, shimExecutable, type NativeStats } from './native.js';
import { listContainers, matchContainer } from './list.js';
import { LineSplitter, parseStatus, type CgroupDirs, type ContainerNetwork, type MemoryUsage, type StatusMessage } from './protocol.js';
import { PtyMaster } from './pty.js';
import { ShimProcess, type ShimEnd, type ShimStdio } from './shimProcess.js';
import { randomHex } from './random.js';
import { checkRoot, DEFAULT_PATH, resolveSpec, type ContainerSpec, type ResolvedSpec } from './spec.js';
import { recordKeptRun, type LayerPlan } from './layer.js';

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
  /** Why the command did not run, for codes 125, 126 and 127. */
  error: string | null;
}

/** How a command exec'd into a container ended. */
export interface ProcessExit {
  /** Its exit code, or 128 + N when killed by signal N. */
  code: number;
  /** Why it did not run, for codes 125, 126 and 127. */
  error: string | null;
}

export interface ExecOptions {
  /** Variables put over the container's environment for this command. */
  env?: Record<string, string>;
}

export interface PtySize {
  cols: number;
  rows: number;
}

export interface ContainerStats extends NativeStats {
  /** Read live from the container's UTS namespace. */
  hostname: string;
}

/** Docker's stop: SIGTERM, then SIGKILL after this long. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

type SignalSender = (signal: NodeJS.Signals | number) => void;

/** A signal for a shim to pass on: SIGKILL kills what it runs (the shim cannot catch that one), SIGSTOP is refused. */
function passSignal(signal: NodeJS.Signals | number, send: SignalSender): void {
  if (signal === 'SIGKILL' || signal === os.constants.signals.SIGKILL) return send(addon().shimKillSignal);
  if (signal === 'SIGSTOP' || signal === os.constants.signals.SIGSTOP) {
    throw new RuntimeError('SIGSTOP cannot be passed to a container: send SIGTSTP instead');
  }
  send(signal);
}

/**
 * A running container, to exec commands in, as `docker exec` does: in its
 * cgroup and all its namespaces, with its environment, capabilities and
 * seccomp filter. Found by id (findContainer), or the Container that started it.
 */
export class RunningContainer {
  constructor(
    /** Short id: also the default hostname and the cgroup's name. */
    readonly id: string,
    /** The container's first process as the host sees it (PID 1 inside). */
    readonly hostPid: number,
  ) {}

  /** Run `command` to its end with pipes; resolves with its exit code and output. Rejects with a
   * RuntimeError (125) when it cannot get in, e.g. once the container has exited. */
  async exec(command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const child = await this.execPiped(command, options);
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const { code, error } = await child.wait();
    return { code, stdout, stderr, error };
  }

  /** Start `command` with pipes for its stdio (the shim's, never the caller's files). */
  async execPiped(command: string[], options: ExecOptions = {}): Promise<PipedProcess> {
    const { shim, session } = spawnShim(execArgs(this.id, command, options.env ?? {}, null), 'pipe');
    await session.started;
    return new PipedProcess(exitOf(session), signalsTo(shim), shim);
  }

  /** Start `command` on a new pseudo-terminal of the given size, as the leader of its session. */
  async execPty(command: string[], options: PtySize & ExecOptions): Promise<PtyProcess> {
    const { cols, rows, env = {} } = options;
    const { shim, session, output, console } = spawnWithConsole(execArgs(this.id, command, env, { cols, rows }));
    await session.started;
    return new PtyProcess(exitOf(session), signalsTo(shim), output, console());
  }
}

/** The running container with this id, or this unique prefix of one (as `baby-docker ps` shows them). */
export function findContainer(idOrPrefix: string): RunningContainer {
  checkRoot();
  const found = matchContainer(idOrPrefix, listContainers());
  if (found.hostPid === null) throw new RuntimeError(`container ${found.id} is still starting: try again`);
  return new RunningContainer(found.id, found.hostPid);
}

/** A started container, however its stdio is attached. */
export class Container extends RunningContainer {
  private exitStatus: ExitStatus | null = null;

  constructor(
    id: string,
    hostPid: number,
    readonly cgroup: CgroupDirs,
    /** The network it got: the spec's, or none where the default bridge fell back (network.fallback says why). */
    readonly network: ContainerNetwork,
    /** What it was started with, checked and filled in. */
    readonly spec: ResolvedSpec,
    private readonly exited: Promise<ExitStatus>,
    private readonly sendSignal: SignalSender,
  ) {
    super(id, hostPid);
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
    passSignal(signal, (sig) => this.running && this.sendSignal(sig));
  }

  /** Kill every process of the container at once. */
  kill(): void {
    this.signal('SIGKILL');
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

  /** Memory and pids from the cgroup, hostname from the UTS namespace. */
  stats(): ContainerStats {
    if (!this.running) throw new RuntimeError(`container ${this.id} has exited`);
    const { memory, pids } = addon().readStats(this.cgroup.version, this.cgroup.memory, this.cgroup.pids);
    return { memory, pids, hostname: addon().readHostname(this.hostPid) };
  }
}

function networkOf(started: Started): ContainerNetwork {
  if (!started.network) throw new RuntimeError(`the runtime shim did not report the container's network: rebuild it (npm run build)`);
  return started.network;
}

/** A container whose stdio are pipes (or the caller's own fds, with stdio "inherit"). */
export class PipedContainer extends Container {
  stdin: Writable | null = null;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
}

/** What a terminal is added to: anything with a running flag (a mixin's base takes any arguments). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeScript requires any[] of a mixin base's constructor
type Running = abstract new (...args: any[]) => { readonly running: boolean };

/** The terminal of a process on a pty (PtyContainer's, PtyProcess's): its output, typing, size, backpressure. */
function onTerminal<Base extends Running>(base: Base) {
  abstract class OnTerminal extends base {
    protected abstract readonly output: OutputQueue;
    protected abstract readonly terminal: PtyMaster;

    /** Everything written to the terminal, from the first byte, as bytes: each batch holds whole UTF-8 characters. */
    onData(listener: (data: Buffer) => void): () => void {
      return this.output.subscribe(listener);
    }

    /** Type into the terminal. */
    write(data: string): void {
      if (this.running) this.terminal.write(data);
    }

    /** Stop reading the output for now (the program blocks when the pty fills): backpressure. */
    pause(): void {
      this.terminal.pause();
    }

    resume(): void {
      this.terminal.resume();
    }

    /** Set the terminal size; its foreground program gets SIGWINCH. */
    resize(cols: number, rows: number): void {
      if (this.running) this.terminal.resize(cols, rows);
    }
  }
  return OnTerminal;
}

/** A container attached to a pseudo-terminal. */
export class PtyContainer extends onTerminal(Container) {
  constructor(
    id: string,
    hostPid: number,
    cgroup: CgroupDirs,
    network: ContainerNetwork,
    spec: ResolvedSpec,
    exited: Promise<ExitStatus>,
    sendSignal: SignalSender,
    protected readonly output: OutputQueue,
    protected readonly terminal: PtyMaster,
  ) {
    super(id, hostPid, cgroup, network, spec, exited, sendSignal);
  }
}

/** A command exec'd into a running container, through a shim of its own. */
class ExecProcess {
  private ended: ProcessExit | null = null;

  constructor(
    private readonly exited: Promise<ProcessExit>,
    private readonly sendSignal: SignalSender,
  ) {
    void exited.then((end) => (this.ended = end));
  }

  /** Resolves once it has ended and all its output has been delivered: its exit code (125, 126, 127 with the reason). */
  wait(): Promise<ProcessExit> {
    return this.exited;
  }

  get running(): boolean {
    return this.ended === null;
  }

  /** Send it a signal (SIGKILL kills it; SIGSTOP is refused). */
  signal(signal: NodeJS.Signals | number): void {
    passSignal(signal, (sig) => this.running && this.sendSignal(sig));
  }

  /** SIGKILL the command (its shim then reports and ends). */
  kill(): void {
    this.signal('SIGKILL');
  }
}

/** An exec'd command whose stdio are pipes. */
export class PipedProcess extends ExecProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;

  constructor(exited: Promise<ProcessExit>, sendSignal: SignalSender, shim: ShimProcess) {
    super(exited, sendSignal);
    this.stdin = shim.stdin!;
    this.stdout = shim.stdout!;
    this.stderr = shim.stderr!;
  }
}

/** An exec'd command on a pseudo-terminal of its own. */
export class PtyProcess extends onTerminal(ExecProcess) {
  constructor(
    exited: Promise<ProcessExit>,
    sendSignal: SignalSender,
    protected readonly output: OutputQueue,
    protected readonly terminal: PtyMaster,
  ) {
    super(exited, sendSignal);
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
  network: ContainerNetwork | null;
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
  /** Why what had to be done as it started failed (the shim is then killed): it overrides the shim's own report. */
  private startError: string | null = null;

  /** `onStart` runs as the start message comes, before anyone hears of it. */
  constructor(private readonly onStart: () => void = () => {}) {
    this.started = new Promise((resolve, reject) => {
      this.resolveStart = resolve;
      this.rejectStart = reject;
    });
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  receive(message: StatusMessage | null): void {
    if (message?.kind === 'start') {
      try {
        this.onStart();
      } catch (error) {
        this.startError = (error as Error).message;
        return;
      }
      this.isStarted = true;
      this.resolveStart({ hostPid: message.hostPid, cgroup: message.cgroup, network: message.network });
    } else if (message?.kind === 'exit') {
      const { kind: _, ...status } = message;
      this.lastExit = status;
    }
  }

  /** The shim is done: its last "exit" message is the result; without one, how the shim itself ended. */
  finish(shim: ShimEnd, readError: string | null = null): void {
    const detail = readError ? `; ${readError}` : '';
    if (this.startError) this.lastExit = runtimeFailure(this.startError);
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
}

function runtimeFailure(error: string): ExitStatus {
  return { code: EXIT.RUNTIME, signal: null, oomKilled: false, memory: null, error };
}

/** Remove what runs whose shim died left (cgroups, state): best effort, as the next start does it too. */
function reclaimDeadRuns(): void {
  try {
    addon().gc(false);
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

/** What a program on a terminal is told it is on. */
const TERMINAL_ENV = { TERM: 'xterm-256color' };

function containerEnv(spec: ResolvedSpec, tty: boolean): Record<string, string> {
  return {
    PATH: DEFAULT_PATH,
    HOME: '/root',
    HOSTNAME: spec.hostname,
    ...(tty ? TERMINAL_ENV : {}),
    ...spec.env,
  };
}

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
}

function hardeningArgs(spec: ResolvedSpec): string[] {
  return spec.capabilities === null ? ['--no-hardening'] : ['--caps', spec.capabilities.toString()];
}

function layerArgs(layer: LayerPlan | null): string[] {
  if (layer === null) return [];
  if ('reuse' in layer) return ['--layer', layer.reuse];
  return ['--layer-template', layer.template, ...(layer.keep !== null ? ['--keep-layer', layer.keep] : [])];
}

/** What every shim is told: who its caller is (it dies with it), where to report (fd 3), and on a
 * terminal, where to hand the container's console over (fd 4) and its first size. */
function commonArgs(terminal: PtySize | null): string[] {
  return [
    '--parent',
    String(process.pid),
    '--status-fd',
    '3',
    ...(terminal ? ['--tty', '--console-fd', '4', '--console-size', `${terminal.cols}x${terminal.rows}`] : []),
  ];
}

function shimArgs(id: string, spec: ResolvedSpec, terminal: PtySize | null): string[] {
  return [
    '--id',
    id,
    '--rootfs',
    spec.rootfs,
    '--hostname',
    spec.hostname,
    '--memory',
    String(spec.memory),
    '--pids',
    String(spec.pids),
    ...commonArgs(terminal),
    ...(spec.init ? ['--init'] : []),
    ...hardeningArgs(spec),
    ...(spec.user !== null ? ['--user', spec.user] : []),
    ...(spec.workdir !== null ? ['--workdir', spec.workdir] : []),
    ...(spec.readOnly ? ['--read-only'] : []),
    ...(spec.name !== null ? ['--name', spec.name] : []),
    ...layerArgs(spec.layer),
    ...spec.lowers.flatMap((dir) => ['--lower', dir]),
    ...(spec.network === 'none' ? [] : [spec.networkByDefault ? '--network-default' : `--network-${spec.network}`]),
    ...(spec.bridge?.subnet ? ['--subnet', spec.bridge.subnet] : []),
    ...(spec.bridge?.firewall === 'iptables' ? ['--iptables'] : []),
    ...spec.ports.flatMap((p) => ['--publish', `${p.protocol}:${p.hostPort}:${p.containerPort}${p.hostIp === null ? '' : `:${p.hostIp}`}`]),
    ...spec.volumes.flatMap((v) =>
      v.kind === 'bind' ? ['--bind', `${v.source}:${v.target}:${v.readOnly ? 'ro' : 'rw'}`] : ['--tmpfs', `${v.target}:${v.options}`],
    ),
    ...envArgs(containerEnv(spec, terminal !== null)),
    '--',
    ...spec.command,
  ];
}

/** An exec's shim: the container's environment, hardening and cgroup are read from its state directory. */
function execArgs(id: string, command: string[], env: Record<string, string>, terminal: PtySize | null): string[] {
  if (command.length === 0 || command[0] === '') throw new RuntimeError('no command given to exec');
  for (const [key, value] of Object.entries(env)) {
    if (key === '' || /[=\0]/.test(key) || value.includes('\0')) throw new RuntimeError(`invalid environment variable ${JSON.stringify(key)}`);
  }
  return ['--exec', id, ...commonArgs(terminal), ...envArgs({ ...(terminal ? TERMINAL_ENV : {}), ...env }), '--', ...command];
}

/**
 * A shim in a session of its own (signals from our terminal reach it through us, once), reporting on fd 3;
 * `extraFds` are its fds 4 and up. `onStart` runs as its start message comes; the session finishes once the
 * shim has ended, its pipes are read to their end, and `outputEnded` (all output delivered; why reading stopped
 * short, if it did) has resolved.
 */
function spawnShim(
  args: string[],
  stdio: ShimStdio,
  extraFds: number[] = [],
  onStart?: () => void,
  outputEnded: () => Promise<string | null> = async () => null,
): { shim: ShimProcess; session: ShimSession } {
  const session = new ShimSession(onStart);
  let shim: ShimProcess;
  try {
    shim = new ShimProcess(shimFile(), args, stdio, extraFds);
  } catch (error) {
    throw error instanceof RuntimeError ? error : new RuntimeError(shimStartError(error as Error));
  }
  readStatus(shim.status, session);
  void shim.closed.then(async (end) => session.finish(end, await outputEnded()));
  return { shim, session };
}

/** Signals for a shim (SIGKILL kills it; shimKillSignal makes it kill its container). */
function signalsTo(shim: ShimProcess): SignalSender {
  return (sig) => shim.kill(sig);
}

/**
 * A shim whose command is on a pty of the container's, handed over to us on fd 4 as it starts (see
 * shim.c): its output goes to `output`; `console()` is the pty, once the shim's start has resolved.
 */
function spawnWithConsole(args: string[]): { shim: ShimProcess; session: ShimSession; output: OutputQueue; console: () => PtyMaster } {
  const output = new OutputQueue();
  const [ours, theirs] = addon().consoleChannel();
  let oursOpen = true;
  const closeOurs = () => {
    if (oursOpen) fs.closeSync(ours);
    oursOpen = false;
  };
  let console: PtyMaster | null = null;
  let spawned: { shim: ShimProcess; session: ShimSession };
  const receive = () => {
    try {
      console = new PtyMaster(addon().receiveConsole(ours), (data) => output.push(data));
    } catch (error) {
      spawned.shim.kill(addon().shimKillSignal);
      throw error;
    } finally {
      closeOurs();
    }
    // Output that cannot be read would block the container for good: end it (the reason goes with the exit).
    void console.ended.then((readError) => readError && spawned.shim.kill(addon().shimKillSignal));
  };
  const outputEnded = async () => {
    if (!console) return null;
    console.finish();
    return console.ended;
  };
  try {
    spawned = spawnShim(args, 'ignore', [theirs], receive, outputEnded);
  } catch (error) {
    closeOurs();
    throw error;
  } finally {
    fs.closeSync(theirs);
  }
  void spawned.shim.closed.then(closeOurs);
  return {
    ...spawned,
    output,
    console: () => {
      if (!console) throw new RuntimeError('the runtime shim started without handing over the console');
      return console;
    },
  };
}

/** An exec's end: its code and why it did not run. */
function exitOf(session: ShimSession): Promise<ProcessExit> {
  return session.exited.then(({ code, error }) => ({ code, error }));
}

/** Once a run that keeps its layer has started: what commit needs, beside the layer. */
function recordIfKept(id: string, spec: ResolvedSpec): void {
  if (spec.layer === null || !('keep' in spec.layer) || spec.layer.keep === null) return;
  recordKeptRun(spec.layer.keep, {
    id,
    base: spec.imageId !== null ? { image: spec.rootfs, imageId: spec.imageId } : { dir: spec.rootfs },
    name: spec.name,
    command: spec.command,
    env: spec.env,
    workdir: spec.workdir,
    user: spec.user,
  });
}

export interface PipedOptions {
  /** "pipe" (default) gives the handle stdin/stdout/stderr streams; "inherit" passes ours. */
  stdio?: 'pipe' | 'inherit';
}

/** Start a container with pipes for stdio. Rejects with a RuntimeError (125) when it cannot start. */
export async function start(spec: ContainerSpec, options: PipedOptions = {}): Promise<PipedContainer> {
  const id = newId();
  const resolved = await resolveSpec(spec, id);
  const { shim, session } = spawnShim(shimArgs(id, resolved, null), options.stdio ?? 'pipe');
  const started = await session.started;
  recordIfKept(id, resolved);
  const container = new PipedContainer(id, started.hostPid, started.cgroup, networkOf(started), resolved, session.exited, signalsTo(shim));
  container.stdin = shim.stdin;
  container.stdout = shim.stdout;
  container.stderr = shim.stderr;
  return container;
}

export interface PtyOptions extends PtySize {
  /** Called once the container's process exists, while it sets the container up. */
  onSpawn?: () => void;
}

/** Start a container attached to a new pseudo-terminal of the given size. */
export async function startPty(spec: ContainerSpec, { cols, rows, onSpawn }: PtyOptions): Promise<PtyContainer> {
  const id = newId();
  const resolved = await resolveSpec(spec, id);
  const { shim, session, output, console } = spawnWithConsole(shimArgs(id, resolved, { cols, rows }));
  onSpawn?.();
  const started = await session.started;
  recordIfKept(id, resolved);
  return new PtyContainer(id, started.hostPid, started.cgroup, networkOf(started), resolved, session.exited, signalsTo(shim), output, console());
}

/** Status lines from the shim's fd 3, into the session. */
function readStatus(stream: Readable, session: ShimSession): void {
  const lines = new LineSplitter();
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => lines.push(chunk, (line) => session.receive(parseStatus(line))));
}
