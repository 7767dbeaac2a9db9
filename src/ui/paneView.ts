/** What the pane painter draws around the container's terminal (border, title, footer), from the UI state. */
import { footerParts } from './footer.js';
import type { Layout } from './layout.js';
import type { PaneView } from './services/panePainter.js';
import type { ScreenSnapshot } from './services/screen.js';
import { joinCommandLine } from './commandLine.js';
import { currentRun, isRunning, selectedPastRun, type UiState } from './state.js';

/** The run's number, id, command and rootfs, e.g. "#2 3f61… /bin/sh · default"; a recording, and a run without its hardening, say so first;
 * a past run picked in the history says whose screen it is. */
export function paneTitle(state: UiState): string {
  const past = selectedPastRun(state);
  const run = past ?? currentRun(state);
  if (!run) return 'terminal';
  const unhardened = `${state.recording ? '● REC ' : ''}${run.options.security === 'none' ? 'HARDENING OFF ' : ''}`;
  const whose = past ? ' · its last screen (↓ back)' : '';
  return `${unhardened}#${run.seq} ${run.id ?? ''} ${joinCommandLine(run.options.command)} · ${run.options.rootfs}${whose}`.replace(/\s+/g, ' ');
}

/** The pane, or null when another screen (picker, help, too small) covers it; `lastScreen` gives a past run's screen, if kept. */
export function paneViewOf(state: UiState, layout: Layout, lastScreen: (seq: number) => ScreenSnapshot | null = () => null): PaneView | null {
  if (state.screen !== 'run' || state.overlay === 'help' || layout.tooSmall) return null;
  const past = selectedPastRun(state);
  const frozen = past ? lastScreen(past.seq) : null;
  return {
    title: paneTitle(state),
    focused: isRunning(state) && !state.prefixArmed && !frozen,
    frozen,
    top: layout.paneTop,
    left: layout.paneLeft,
    width: layout.paneWidth,
    height: layout.paneHeight,
    footer: footerParts(state),
    footerRow: layout.height,
    cols: layout.cols,
  };
}
