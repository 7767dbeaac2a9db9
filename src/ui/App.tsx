/**
 * What Ink draws: the picker, the help or the too-small notice full width with
 * the footer; beside the container's terminal, only the panel column (the
 * pane and the footer there are the pane painter's, so Ink's frames stay
 * narrow: see main.tsx).
 */
import { Box, Text } from 'ink';
import { useCallback, useContext, useRef, useSyncExternalStore } from 'react';
import { Footer } from './components/Footer.js';
import { footerParts } from './footer.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { Picker } from './components/Picker.js';
import { LabPanel } from './components/LabPanel.js';
import { SidePanels } from './components/SidePanels.js';
import { StatusBar } from './components/StatusBar.js';
import { useTerminalSize, type TerminalSize } from './hooks/useTerminalSize.js';
import { layoutFor, MIN_COLS, MIN_ROWS, STATUS_BAR_ROWS } from './layout.js';
import { LatestStatsContext } from './components/statsNow.js';
import { currentRun, layoutOptionsOf, sameFrame, selectedPastRun, type UiState } from './state.js';
import type { Store } from './store.js';

export interface AppProps {
  store: Store;
  /** The real terminal (Ink's stdout reports a narrower width beside the pane). */
  terminal: TerminalSize;
  /** The host's own hostname, beside the container's. */
  hostHostname: string;
}

export function App({ store, terminal, hostHostname }: AppProps) {
  // Where the live lines read the latest figures for themselves, a state that differs from the one drawn in figures
  // only is no new frame: the pane painter draws the lines that changed (a poll a second of an idle shell's).
  const figuresLive = useContext(LatestStatsContext) !== null;
  const drawn = useRef<UiState | null>(null);
  const frameState = useCallback(() => {
    const next = store.getState();
    if (!figuresLive || drawn.current === null || !sameFrame(drawn.current, next)) drawn.current = next;
    return drawn.current;
  }, [store, figuresLive]);
  const state = useSyncExternalStore(store.subscribe, frameState);
  const { cols, rows } = useTerminalSize(terminal);
  const layout = layoutFor(cols, rows, layoutOptionsOf(state));
  // Lines that move with the clock are drawn again by the pane painter between frames (LiveText): a frame's clock is
  // the time it is drawn, on purpose.
  // eslint-disable-next-line react-hooks/purity
  const now = Date.now();
  const run = currentRun(state);

  if (layout.tooSmall) {
    return (
      <Box width={cols} height={layout.height}>
        <Text color="yellow" wrap="wrap">
          The terminal is too small ({cols}×{rows}): make it at least {MIN_COLS}×{MIN_ROWS}.
        </Text>
      </Box>
    );
  }

  if (state.screen === 'run' && state.overlay !== 'help' && layout.sideWidth === 0) {
    // The container's terminal is below the status bar (and the lab), drawn by the pane painter, not by Ink.
    return (
      <Box flexDirection="column" width={cols} height={layout.topRows}>
        <Box height={STATUS_BAR_ROWS} paddingX={1}>
          <StatusBar run={run} selected={selectedPastRun(state)} stats={state.stats} now={now} />
        </Box>
        {state.lab && <LabPanel lab={state.lab} width={cols} height={layout.labRows} />}
      </Box>
    );
  }
  if (state.screen === 'run' && state.overlay !== 'help') {
    // The container's terminal is right of the panels, drawn by the pane painter, not by Ink.
    return (
      <SidePanels
        run={run}
        runs={state.runs}
        selectedHistory={state.selectedHistory}
        stats={state.stats}
        memorySamples={state.memorySamples}
        hostHostname={hostHostname}
        lab={state.lab}
        now={now}
        width={layout.sideWidth}
        height={layout.mainHeight}
      />
    );
  }
  return (
    <Box flexDirection="column" width={cols} height={layout.height}>
      <Box height={layout.mainHeight} flexDirection="column">
        {state.screen === 'picker' ? (
          <Picker state={state.picker} width={cols} height={layout.mainHeight} />
        ) : (
          <HelpOverlay width={cols} height={layout.mainHeight} />
        )}
      </Box>
      <Footer parts={footerParts(state)} width={cols} />
    </Box>
  );
}
