/**
 * Runs containers for the UI, one at a time, through the runtime API: starts
 * them on the terminal session, polls their stats, reports through actions.
 * No React in it.
 */
import { startPty as runtimeStartPty, type PtyContainer, type PtyOptions } from '../../runtime/container.js';
import { EXIT } from '../../runtime/errors.js';
import { removeKeptLayer, sessionLayersDir } from '../../runtime/layer.js';
import { readNetwork as runtimeReadNetwork, type NetworkedContainer, type NetworkState } from '../../runtime/network.js';
import { bridgeFallbackNote, namesDirectory, type ContainerSpec } from '../../runtime/spec.js';
import { formatBytes } from '../format.js';
import type { UiAction } from '../state.js';
import type { RunOptions } from '../types.js';
import type { ExecProcess } from './execShell.js';
import type { ScreenSnapshot } from './screen.js';
import type { TerminalSession } from './terminalSession.js';
import { mark } from './trace.js';

export type StartPty = (spec: ContainerSpec, options: PtyOptions) => Promise<PtyContainer>;
export type ReadNetwork = (container: NetworkedContainer) => NetworkState;

/** Stats are cheap (a few cgroup files, one setns, /proc/PID/net/dev): once a second is plenty for the panels. */
const STATS_INTERVAL_MS = 1000;
/** At most this long for the frame that shows a pull's end. */
const PULL_END_SHOWN_MS = 100;
const STOP_GRACE_MS = 10_000;
/** Last screens kept for the history: a screen is a few KiB, and older runs are rarely looked back at. */
const LAST_SCREENS_KEPT = 50;

/**
 * What the runtime is asked for: every run keeps its layer in this process's
 * session directory, so that the next may go on in it (`keptLayer`, the id
 * of the run that kept it: options.onLastChanges); the controller removes
 * a layer once no run can want it, and the directory goes with the process.
 */
function specOf(options: RunOptions, keptLayer: string | null = null): ContainerSpec {
  const { onLastChanges, hostname, ...spec } = options;
  return {
    ...spec,
    ...(hostname ? { hostname } : {}),
    ...(onLastChanges && keptLayer !== null ? { onLayerOf: keptLayer } : { keep: true }),
    layersDir: sessionLayersDir(),
  };
}

/** Remove run `id`'s kept layer: no run will go on in it. */
function removeSessionLayer(id: string): void {
  try {
    removeKeptLayer(id, sessionLayersDir());
  } catch {
    // Gone already, or the store unwritable: the session's directory goes when the process does.
  }
}

/** A run's container started before its controller existed: the TUI starts a direct run's before the UI loads. */
export interface EarlyStart {
  container: Promise<PtyContainer>;
  /** Resolves once its process exists, or it has failed to start. */
  spawned: Promise<void>;
}

/** Start the container of `options` now, on a pty of `size`, for a controller to take over (startPtyWith). */
export function startEarly(options: RunOptions, size: { cols: number; rows: number }): EarlyStart {
  let spawned!: () => void;
  const whenSpawned = new Promise<void>((resolve) => (spawned = resolve));
  const container = runtimeStartPty(specOf(options), { ...size, onSpawn: spawned });
  // Handled here too: it may fail before the controller awaits it.
  container.catch(() => spawned());
  return { container, spawned: whenSpawned };
}

/** A controller's startPty that takes `early` as its first run's container and starts the later ones anew. */
export function startPtyWith(early: EarlyStart): StartPty {
  let first: EarlyStart | null = early;
  return (spec, options) => {
    if (!first) return runtimeStartPty(spec, options);
    const { container, spawned } = first;
    first = null;
    void spawned.then(() => options.onSpawn?.());
    return container;
  };
}

export class RunController {
  private container: PtyContainer | null = null;
  /** Runs go one after another: each starts once the one before has been reported. */
  private task: Promise<void> = Promise.resolve();
  /** Bumped by every run() and kill(): a run no longer wanted kills its container as soon as it has one. */
  private wanted = 0;
  private seq = 0;
  private readonly attachListeners = new Set<(container: PtyContainer) => void>();
  /** Waiting for the next run's container process, or for the run to fail to start. */
  private spawnWaiters: (() => void)[] = [];
  /** The last stats dispatched, to leave out polls that change nothing: each would cost a frame of the panels. */
  private shownStats = '';
  /** Each ended run's last screen, by seq: the history shows it (the latest runs' only). */
  private readonly lastScreens = new Map<number, ScreenSnapshot>();
  /** The id of the run whose layer the last run left its files in, for the next to go on in. */
  private keptLayer: string | null = null;
  /** The default bridge fell back to none once already: that is said once a session. */
  private saidBridgeFallback = false;

  constructor(
    private readonly session: TerminalSession,
    private readonly dispatch: (action: UiAction) => void,
    private readonly startPty: StartPty = runtimeStartPty,
    private readonly readNetwork: ReadNetwork = runtimeReadNetwork,
    /** How long a new run's panels wait for its first output to be on screen (see runToEnd); 0: not at all. */
    private readonly firstOutputWaitMs = 0,
  ) {}

  get running(): boolean {
    return this.container !== null;
  }

  /** Resolves once the next run's container process exists, or the run has failed to start (or was superseded). */
  whenSpawned(): Promise<void> {
    return new Promise((resolve) => this.spawnWaiters.push(resolve));
  }

  private settleSpawn(): void {
    for (const resolve of this.spawnWaiters.splice(0)) resolve();
  }

  /** Called with each container as it is shown; output it wrote before that is the screen's only. */
  onAttach(listener: (container: PtyContainer) => void): () => void {
    this.attachListeners.add(listener);
    return () => this.attachListeners.delete(listener);
  }

  /** How run `seq`'s terminal looked when it ended, while it is among the last LAST_SCREENS_KEPT. */
  lastScreen(seq: number): ScreenSnapshot | null {
    return this.lastScreens.get(seq) ?? null;
  }

  /** `command` exec'd into the running container on a pty of its own; null without one. */
  execPty(command: string[], size: { cols: number; rows: number }): Promise<ExecProcess> | null {
    return this.container?.running ? this.container.execPty(command, size) : null;
  }

  /** `sh -c command` inside the current container: its stdout, or null without one. */
  async exec(command: string): Promise<string | null> {
    const container = this.container;
    if (!container?.running) return null;
    try {
      return (await container.exec(['/bin/sh', '-c', command])).stdout;
    } catch {
      return null; // it ended meanwhile
    }
  }

  /** Start a run; one still running (or starting) is killed first. Resolves once it has ended. */
  run(options: RunOptions): Promise<void> {
    const generation = ++this.wanted;
    this.container?.kill();
    this.task = this.task.then(() => (generation === this.wanted ? this.runToEnd(options, generation) : undefined));
    return this.task;
  }

  /** SIGTERM, then SIGKILL after the grace period; the panels count down to it. */
  stop(): void {
    if (!this.container) return;
    this.dispatch({ type: 'run-stopping', seq: this.seq, killAt: Date.now() + STOP_GRACE_MS });
    void this.container.stop(STOP_GRACE_MS);
  }

  /**
   * Kill the current container at once, even one still starting, and wait
   * until it has ended: not for its run to be reported, which needs a
   * working UI (the emulator parses its last output first).
   */
  async kill(): Promise<void> {
    ++this.wanted;
    const container = this.container;
    if (!container) return this.task;
    container.kill();
    await container.wait();
  }

  private async runToEnd(options: RunOptions, generation: number): Promise<void> {
    const at = Date.now();
    let container: PtyContainer;
    const continuing = options.onLastChanges === true && this.keptLayer !== null;
    // A layer no run can want any more is removed while the next container sets itself up, not before it starts.
    const dropped = continuing ? null : this.keptLayer;
    if (!continuing) this.keptLayer = null;
    try {
      await this.pullIfMissing(options.rootfs);
      // Started before anything is drawn: a frame costs milliseconds a re-run need not wait for.
      container = await this.startPty(specOf(options, this.keptLayer), {
        cols: this.session.cols,
        rows: this.session.rows,
        onSpawn: () => {
          mark('spawned');
          this.settleSpawn();
          if (dropped !== null) setImmediate(() => removeSessionLayer(dropped));
        },
      });
      mark('started');
    } catch (error) {
      if (dropped !== null) removeSessionLayer(dropped); // gone already if it was spawned: removing it again is harmless
      const code = (error as { exitCode?: number }).exitCode ?? EXIT.RUNTIME;
      const message = error instanceof Error ? error.message : String(error);
      const seq = ++this.seq;
      this.session.clear();
      this.session.printError(message);
      this.dispatch({ type: 'run-requested', options, at });
      this.dispatch({ type: 'run-exited', seq, status: { code, signal: null, oomKilled: false, memory: null, error: message }, at: Date.now() });
      this.settleSpawn();
      return;
    }
    if (!continuing) this.keptLayer = container.id;
    if (generation !== this.wanted) {
      // Superseded or killed while it started: it never shows.
      container.kill();
      await container.wait();
      return;
    }
    const seq = ++this.seq;
    this.container = container;
    // The session first: output that came before anyone listened goes to the first listener.
    this.session.attach(container);
    for (const listener of this.attachListeners) listener(container);
    // The run's first output goes out before the panels' frame for it (some 20 ms of Ink's, which would hold it back).
    if (this.firstOutputWaitMs > 0) await this.session.nextFrame(this.firstOutputWaitMs);
    this.dispatch({ type: 'run-requested', options, at });
    const { spec } = container;
    const started = { command: spec.command, user: spec.user, workdir: spec.workdir, image: spec.lowers.length > 0 ? spec.rootfs : null };
    this.dispatch({ type: 'run-started', seq, id: container.id, hostPid: container.hostPid, started });
    if (container.network.fallback && !this.saidBridgeFallback) {
      this.saidBridgeFallback = true;
      this.dispatch({ type: 'notice', text: bridgeFallbackNote(container.network.fallback) });
    }
    const poll = setInterval(() => this.pollStats(container, seq), STATS_INTERVAL_MS);
    this.pollStats(container, seq);
    const status = await container.wait();
    clearInterval(poll);
    this.container = null;
    // Every byte is in the emulator before the exit shows: seq 1 20000 ends with 20000 on screen.
    this.session.detach();
    if (status.error) this.session.printError(status.error); // 126 / 127: why the command did not run
    await this.session.flush();
    this.keepLastScreen(seq, this.session.snapshot());
    this.dispatch({ type: 'run-exited', seq, status, at: Date.now() });
  }

  /** An image named but not here is pulled first, its layers' progress shown in the pane (as `docker run` does). */
  private async pullIfMissing(rootfs: string): Promise<void> {
    if (namesDirectory(rootfs)) return;
    const images = await import('../../runtime/images/index.js');
    if (images.findLocalImage(rootfs)) return;
    const layers = new Map<string, string>();
    let shown = 0;
    await images.pullImage(rootfs, {
      onProgress: ({ layer, done, total }) => {
        layers.set(layer, `${layer}: ${formatBytes(done)} / ${formatBytes(total)}${done === total ? ' done' : ''}`);
        // Ten frames a second at most: a pull reports every chunk.
        if (Date.now() - shown < 100 && done !== total) return;
        shown = Date.now();
        this.session.showLines([`pulling ${rootfs}`, ...layers.values()]);
      },
    });
    // Its end drawn before the run's output takes the pane: a small pull ends before its first frame.
    await this.session.nextFrame(PULL_END_SHOWN_MS);
  }

  private keepLastScreen(seq: number, screen: ScreenSnapshot): void {
    this.lastScreens.set(seq, screen);
    // A Map keeps its keys in the order they came: the first is the oldest run's.
    const [oldest] = this.lastScreens.keys();
    if (this.lastScreens.size > LAST_SCREENS_KEPT && oldest !== undefined) this.lastScreens.delete(oldest);
  }

  private pollStats(container: PtyContainer, seq: number): void {
    let stats;
    try {
      stats = { ...container.stats(), network: this.readNetwork(container) };
    } catch {
      return; // it ended between two polls: the exit is reported by runToEnd
    }
    const key = `${seq} ${JSON.stringify(stats)}`;
    if (key === this.shownStats) return;
    this.shownStats = key;
    this.dispatch({ type: 'stats', seq, stats: { ...stats, at: Date.now() } });
  }
}
