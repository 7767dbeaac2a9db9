/**
 * baby-docker-tui: the interactive container shell. Wires the pieces: the
 * store (UI state), the terminal session and run controller (no React), raw
 * keyboard input, and the Ink view. Restores the terminal and removes the
 * container however it ends.
 */
import * as path from 'node:path';
import { EXIT, RuntimeError } from '../runtime/errors.js';
import { collectSessionLayers } from '../runtime/layer.js';
import { listLocalImages } from '../runtime/images/index.js';
import type { Lab } from '../labs/lab.js';
import { hasTerminal, type TuiArgs } from './args.js';
import { handleInput, TypingBursts } from './input.js';
import { Command, type ScrollMove } from './keymap.js';
import { layoutFor, paneSizeOf } from './layout.js';
import { paneViewOf } from './paneView.js';
import { loadConfig, loadHistory, loadLabProgress, rememberRun, saveHistory, saveLabProgress } from './persistence.js';
import { joinCommandLine } from './commandLine.js';
import { initialPicker } from './picker.js';
import { LiveLines } from './services/liveLines.js';
import { handlePaneMouse } from './services/paneMouse.js';
import { ExecShell } from './services/execShell.js';
import { defaultCommand } from '../runtime/insideRootfs.js';
import { PanePainter } from './services/panePainter.js';
import type { LabController } from './services/labController.js';
import { RunController, startPtyWith, type EarlyStart } from './services/runController.js';
import { Recorder } from './services/recorder.js';
import { TerminalSession } from './services/terminalSession.js';
import { mark, tracing } from './services/trace.js';
import { currentRun, initialState, layoutOptionsOf } from './state.js';
import { createStore } from './store.js';
import type { RunOptions } from './types.js';
import type { View } from './view.js';

/** How often the panels' live lines are brought up to date: a second passes on screen at most this late. */
const LIVE_LINE_TICK_MS = 1000;
/** A new run's panels are drawn once its first output is on screen, or this long after it started without any. */
const FIRST_OUTPUT_WAIT_MS = 50;

// Alternate screen, cursor home (Ink draws from there; the pane painter counts on it), cursor hidden (the pane draws its own),
// mouse reports while a button is down, in SGR form (services/paneMouse.ts).
const ENTER_SCREEN = '\x1b[?1049h\x1b[H\x1b[?25l\x1b[?1002h\x1b[?1006h';
const LEAVE_SCREEN = '\x1b[?1006l\x1b[?1002l\x1b[?25h\x1b[?1049l';

/** Runs the UI for `args` (as root); `early` is a direct run's container, started before the UI loaded. */
export async function main(args: TuiArgs, early: EarlyStart | null): Promise<void> {
  if (args.check) {
    const { runLabCheck } = await loadLabs();
    process.exitCode = await runLabCheck(args.lab!);
    return;
  }
  if (args.lab === 'list') return (await loadLabs()).printLabList();
  // A lab file with a mistake is reported now, on one line, not inside the UI.
  const lab = args.lab === null ? null : await loadLabs().then(({ loadLab, labDir }) => loadLab(args.lab!, labDir()));
  if (!hasTerminal()) {
    throw new RuntimeError('baby-docker-tui needs a terminal: run it in an interactive terminal (for scripts, use baby-docker run)');
  }
  collectSessionLayers(); // what TUIs that were killed kept
  const config = loadConfig();
  let history = loadHistory();
  const picker = initialPicker({
    rootfsChoices: [...args.rootfsChoices, ...history.rootfs, ...config.rootfs, ...listLocalImages().map((image) => image.name)],
    commandHistory: history.commands,
    memory: args.memory,
    hostname: args.hostname,
    network: args.network,
  });
  const store = createStore(initialState(picker, args.direct || lab ? 'run' : 'picker'));
  const { stdin, stdout } = process;
  const paneSize = () => paneSizeOf(stdout, layoutOptionsOf(store.getState()));
  const size = paneSize();
  const session = new TerminalSession(size.cols, size.rows);
  const controller = new RunController(session, store.dispatch, early ? startPtyWith(early) : undefined, undefined, FIRST_OUTPUT_WAIT_MS);
  // The painter is made below; the exec shell's screen changes reach it through this.
  let paintChanged = () => {};
  const execShell = new ExecShell({
    start: (command, size) => controller.execPty(command, size),
    dispatch: store.dispatch,
    size: () => ({ cols: session.cols, rows: session.rows }),
    onChange: () => paintChanged(),
  });
  /** The terminal keys, scrolling and the mouse act on: the exec shell's while the pane shows it. */
  const activeSession = (): TerminalSession => (store.getState().exec?.shown ? execShell.current : null) ?? session;
  // A recording named on the command line starts now: a file that cannot be made is said before the UI opens.
  let recorder: Recorder | null = null;
  const startRecording = (file: string) => {
    recorder = new Recorder(file, paneSize(), 'baby-docker-tui');
    store.dispatch({ type: 'recording', file });
  };
  if (args.record) startRecording(args.record);
  session.onOutput((data) => recorder?.output(data.toString('utf8')));
  const toggleRecording = () => {
    if (recorder) {
      recorder.close();
      recorder = null;
      store.dispatch({ type: 'recording', file: null });
      return;
    }
    try {
      startRecording(path.resolve(`baby-docker-${new Date().toISOString().replace(/[:.]/g, '-')}.cast`));
    } catch (error) {
      session.printError((error as Error).message);
    }
  };
  // Made when the first lab opens: a run without one loads none of the lab code.
  let labs: LabController | null = null;
  const labController = async (): Promise<LabController> => {
    const { LabController } = await import('./services/labController.js');
    return (labs ??= new LabController({
      runs: controller,
      dispatch: store.dispatch,
      getState: store.getState,
      type: (keys) => session.sendKeys(keys),
      saveProgress: (labId, step) => {
        try {
          saveLabProgress(labId, step);
        } catch {
          // Progress is a convenience, like the history.
        }
      },
    }));
  };
  const openLab = async (chosen: Lab) => (await labController()).open(chosen, Math.min(loadLabProgress()[chosen.id] ?? 0, chosen.steps.length - 1));
  // The container's terminal follows the outer one at once, before anything is drawn at the new
  // size (the listener comes before Ink's): a program that asks for its size then has the new one.
  // Then all of the screen is drawn afresh, as tmux does: a terminal keeps what it had where the new
  // size has room, and rows or columns no one draws any more would show stale text.
  // The layout also changes with the panels (Ctrl-] p) and a lab's coming or going.
  let redrawPending = false;
  let fitted = '';
  const fitPane = () => {
    const resized = paneSize();
    const fit = `${stdout.columns}x${stdout.rows} ${resized.cols}x${resized.rows}`;
    if (fit === fitted) return;
    session.resize(resized.cols, resized.rows);
    execShell.resize(resized.cols, resized.rows);
    recorder?.resize(resized.cols, resized.rows);
    fitted = fit; // only once done: a resize cut short by an error is tried again at the next call
    if (redrawPending) return;
    redrawPending = true;
    setImmediate(() => {
      redrawPending = false;
      redraw();
    });
  };
  stdout.on('resize', fitPane);
  store.subscribe(fitPane);
  /** The UI has the terminal: not before it takes it, while suspended, or once it has given it back. */
  let ownsTerminal = false;
  // Nothing of the pane is drawn without the terminal: it would land on the screen of the shell it was started from.
  const layout = () => layoutFor(stdout.columns, stdout.rows, layoutOptionsOf(store.getState()));
  const otherScreens = { lastScreen: (seq: number) => controller.lastScreen(seq), execScreen: () => execShell.current?.snapshot() ?? null };
  const paneView = () => (ownsTerminal ? paneViewOf(store.getState(), layout(), otherScreens) : null);
  const liveLines = new LiveLines();
  const painter = new PanePainter(session, stdout, paneView, liveLines);
  paintChanged = () => painter.paintChanged();
  // Title, focus and footer follow the state at once, whether or not Ink has a new frame to draw.
  store.subscribe(() => painter.paintChanged());
  // The uptime and the sparkline move on with no change of state, and no Ink frame.
  setInterval(() => painter.paintLive(), LIVE_LINE_TICK_MS).unref();

  const takeTerminal = () => {
    ownsTerminal = true;
    stdin.setRawMode(true);
    stdout.write(ENTER_SCREEN);
  };
  const releaseTerminal = () => {
    ownsTerminal = false;
    stdin.setRawMode(false);
    stdout.write(LEAVE_SCREEN);
  };

  let view: View | null = null;
  const redraw = () => view?.redraw();

  let shuttingDown = false;
  /**
   * The terminal is given back first, and the error said there, so that a
   * broken UI can neither keep the person from their shell nor stop a
   * container unexplained; then the container goes (its end is waited for,
   * not its report, which needs the UI).
   */
  const shutdown = async (code: number, error?: unknown) => {
    if (shuttingDown) return;
    shuttingDown = true;
    try {
      view?.unmount();
    } catch {
      // A broken view must not keep the terminal from being restored.
    }
    releaseTerminal();
    recorder?.close();
    execShell.kill();
    if (error) {
      const stopping = controller.running ? ' (the UI cannot go on: stopping its container)' : '';
      process.stderr.write(`baby-docker-tui: internal error${stopping}: ${describeError(error)}\n`);
    }
    try {
      await controller.kill(); // the container, its cgroup and state are gone once this resolves
    } finally {
      process.exit(code);
    }
  };

  // OSC 52: the terminal (or tmux, with set-clipboard on) puts it on its clipboard, over ssh too.
  const copyToClipboard = (text: string) => stdout.write(`\x1b]52;c;${Buffer.from(text).toString('base64')}\x07`);

  const run = (options: RunOptions) => {
    history = rememberRun(history, options.rootfs, joinCommandLine(options.command));
    // Written while the container sets itself up (the controller then waits for it), not before it starts.
    const saved = history;
    void controller.whenSpawned().then(() => {
      try {
        saveHistory(saved);
      } catch {
        // History is a convenience: an unwritable config directory must not stop a run.
      }
    });
    void controller.run({ ...options, ...args.session });
  };

  stdin.setEncoding('utf8');
  if (tracing) stdin.on('data', (chunk: string) => mark(`keys ${JSON.stringify(chunk.slice(0, 8))}`));
  const bursts = new TypingBursts();
  stdin.on('data', (chunk: string) =>
    handleInput(
      chunk,
      store.getState,
      {
        dispatch: store.dispatch,
        sendToContainer: (keys) => {
          const typedInto = activeSession();
          typedInto.clearSelection(); // typing moves on from what was selected, as in a terminal
          typedInto.sendKeys(keys);
        },
        run,
        stop: () => controller.stop(),
        quit: () => void shutdown(0),
        redraw,
        togglePanels: () => store.dispatch({ type: 'panels', shown: layout().sideWidth === 0 }),
        exec: () => {
          const run = currentRun(store.getState());
          if (run) void execShell.open(defaultCommand(run.options.rootfs));
        },
        lab: (command) => {
          if (command === Command.LabType) labs?.typeCommand();
          else if (command === Command.LabNext) void labs?.next();
          else if (command === Command.LabPrevious) void labs?.previous();
          else if (command === Command.LabRestart) void labs?.restart();
          else if (command === Command.LabLeave) labs?.leave();
        },
        openLab: (id) => {
          loadLabs()
            .then(({ loadLab, labDir }) => openLab(loadLab(id, labDir())))
            .catch((error: Error) => session.printError(error.message));
        },
        scroll: (move) => activeSession().scroll(scrollLines(move, session.rows)),
        toggleRecording,
        find: (text, direction) => activeSession().find(text, direction),
        copyView: () => copyToClipboard(activeSession().viewText()),
        mouse: (event) =>
          handlePaneMouse(event, activeSession(), paneView(), {
            scrolled: (lines) => store.dispatch({ type: 'scrolled', lines }),
            copy: (text) => {
              copyToClipboard(text);
              store.dispatch({ type: 'notice', text: `copied ${Array.from(text).length} characters` });
            },
          }),
        suspend: () => {
          releaseTerminal();
          process.once('SIGCONT', () => {
            takeTerminal();
            redraw();
          });
          process.kill(process.pid, 'SIGTSTP');
        },
      },
      bursts,
    ),
  );
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const) {
    process.on(signal, () => void shutdown(code));
  }
  process.on('uncaughtException', (error) => void shutdown(EXIT.RUNTIME, error));
  process.on('unhandledRejection', (error) => void shutdown(EXIT.RUNTIME, error));
  // Only now: a signal from here on finds its handler, and the terminal is restored.
  takeTerminal();

  // The container's process starts first, and Ink loads while it sets the container up: setting
  // up Ink and React takes longer than that (and holds the event loop); the output waits in the pty reader.
  const spawned = controller.whenSpawned();
  if (lab) void openLab(lab);
  else if (args.direct) run(args.direct);
  if (lab || args.direct) await spawned;
  const { mountView } = await withoutFetch(() => import('./view.js'));
  // Ink's frames are as wide as the panel column beside the pane, and as wide as the terminal else.
  const inkColumns = () => (paneView() !== null && layout().sideWidth > 0 ? layout().sideWidth : stdout.columns);
  if (!shuttingDown) view = mountView(store, session, painter, liveLines, inkColumns, () => ownsTerminal);
  // The picker's labs are read (parsing them takes a while) the first time it shows.
  // A lab file that does not load is left out: loading it says why (--lab, or baby-docker lab list).
  const listLabsForPicker = () => {
    if (store.getState().screen !== 'picker') return;
    unsubscribePicker();
    void loadLabs().then(({ listLabs, labDir }) => {
      const labChoices = listLabs(labDir()).filter((entry) => !entry.title.startsWith('(broken'));
      store.dispatch({ type: 'picker', picker: { ...store.getState().picker, labChoices } });
    });
  };
  const unsubscribePicker = store.subscribe(listLabsForPicker);
  listLabsForPicker();
}

/**
 * Run `load` with the global fetch hidden. Loading Ink's layout engine (yoga)
 * asks `typeof fetch`, and Node answers that by loading its whole HTTP client
 * (undici), some 40 ms of start-up; yoga needs no fetch (its code is inline).
 */
async function withoutFetch<T>(load: () => Promise<T>): Promise<T> {
  const fetch = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (!fetch) return load();
  Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
  try {
    return await load();
  } finally {
    Object.defineProperty(globalThis, 'fetch', fetch);
  }
}

/** The lab code (and its YAML parser), loaded only when a lab is asked for. */
async function loadLabs() {
  const [catalog, cli] = await Promise.all([import('../labs/catalog.js'), import('../labs/cli.js')]);
  return { ...catalog, ...cli };
}

/** Lines a scroll key moves the pane's view by (negative: back into the history); a page keeps a line of overlap. */
function scrollLines(move: ScrollMove, rows: number): number {
  const page = Math.max(1, rows - 1);
  const far = Number.MAX_SAFE_INTEGER;
  return { 'page-up': -page, 'page-down': page, 'line-up': -1, 'line-down': 1, top: -far, bottom: far }[move];
}

/** An unexpected error on one line: what and where (its first stack frame), for a bug report. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const where = error.stack
    ?.split('\n')
    .find((line) => line.trim().startsWith('at '))
    ?.trim();
  return where ? `${error.name}: ${error.message} (${where})` : `${error.name}: ${error.message}`;
}
