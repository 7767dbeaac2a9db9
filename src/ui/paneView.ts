/** What the pane painter draws around the container's terminal (border, title, footer), from the UI state. */
import { footerParts } from './footer.js';
import type { Layout } from './layout.js';
import type { PaneView } from './services/panePainter.js';
import { joinCommandLine } from './commandLine.js';
import { currentRun, isRunning, type UiState } from './state.js';

/** The run's number, id, command and rootfs, e.g. "#2 3f61… /bin/sh · default"; a recording, and a run without its hardening, say so first. */
export function paneTitle(state: UiState): string {
  const run = currentRun(state);
  if (!run) return 'terminal';
  const unhardened = `${state.recording ? '● REC ' : ''}${run.options.security === 'none' ? 'HARDENING OFF ' : ''}`;
  return `${unhardened}#${run.seq} ${run.id ?? ''} ${joinCommandLine(run.options.command)} · ${run.options.rootfs}`.replace(/\s+/g, ' ');
}

/** The pane, or null when another screen (picker, help, too small) covers it. */
export function paneViewOf(state: UiState, layout: Layout): PaneView | null {
  if (state.screen !== 'run' || state.overlay === 'help' || layout.tooSmall) return null;
  return {
    title: paneTitle(state),
    focused: isRunning(state) && !state.prefixArmed,
    top: layout.paneTop,
    left: layout.paneLeft,
    width: layout.paneWidth,
    height: layout.paneHeight,
    footer: footerParts(state),
    footerRow: layout.height,
    cols: layout.cols,
  };
}
