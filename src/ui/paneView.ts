/** What the pane painter draws around the container's terminal (border, title, footer), from the UI state. */
import { footerParts } from './footer.js';
import type { Layout } from './layout.js';
import type { PaneView } from './services/panePainter.js';
import type { ScreenSnapshot } from './services/screen.js';
import { joinCommandLine } from './commandLine.js';
import { currentRun, isRunning, selectedPastRun, type UiState } from './state.js';

/** The run's number, id, command and rootfs, e.g. "#2 3f61… /bin/sh · default"; a recording, and a run without its hardening, say so first;
 * a past run picked in the history says whose screen it is, and an exec shell shown whose it is. */
export function paneTitle(state: UiState): string {
  const past = selectedPastRun(state);
  const run = past ?? currentRun(state);
  if (!run) return 'terminal';
  const unhardened = `${state.recording ? '● REC ' : ''}${run.options.security === 'none' ? 'HARDENING OFF ' : ''}`;
  const id = `#${run.seq} ${run.id ?? ''}`;
  if (!past && state.exec?.shown) return `${unhardened}exec ${joinCommandLine(state.exec.command)} in ${id} · Ctrl-] o: its own terminal`;
  const whose = past ? ' · its last screen (↓ back)' : state.exec ? ' · exec shell open (Ctrl-] o)' : '';
  return `${unhardened}${id} ${joinCommandLine(run.options.command)} · ${run.options.rootfs}${whose}`.replace(/\s+/g, ' ');
}

/** Screens the pane shows in place of the container's live terminal. */
export interface OtherScreens {
  /** A past run's last screen, if kept. */
  lastScreen(seq: number): ScreenSnapshot | null;
  /** The exec shell's, while it runs. */
  execScreen(): ScreenSnapshot | null;
}

const NO_OTHER_SCREENS: OtherScreens = { lastScreen: () => null, execScreen: () => null };

/** The pane, or null when another screen (picker, help, too small) covers it. */
export function paneViewOf(state: UiState, layout: Layout, screens: OtherScreens = NO_OTHER_SCREENS): PaneView | null {
  if (state.screen !== 'run' || state.overlay === 'help' || layout.tooSmall) return null;
  const past = selectedPastRun(state);
  const screen = past ? screens.lastScreen(past.seq) : state.exec?.shown ? screens.execScreen() : null;
  return {
    title: paneTitle(state),
    focused: isRunning(state) && !state.prefixArmed && !past,
    screen,
    top: layout.paneTop,
    left: layout.paneLeft,
    width: layout.paneWidth,
    height: layout.paneHeight,
    footer: footerParts(state),
    footerRow: layout.height,
    cols: layout.cols,
  };
}
