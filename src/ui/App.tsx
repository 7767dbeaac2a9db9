/** The whole screen: the container's terminal beside live panels, or the picker; a footer of keys. */
import { Box, Text } from 'ink';
import { useSyncExternalStore } from 'react';
import { Footer, type FooterMode } from './components/Footer.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { Picker } from './components/Picker.js';
import { PromptLine } from './components/PromptLine.js';
import { SidePanels } from './components/SidePanels.js';
import { useTerminalSessionSize } from './hooks/useTerminalSessionSize.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { layoutFor, MIN_COLS, MIN_ROWS, SIDE_WIDTH } from './layout.js';
import type { TerminalSession } from './services/terminalSession.js';
import { currentRun, isRunning, type UiState } from './state.js';
import type { Store } from './store.js';

export interface AppProps {
  store: Store;
  session: TerminalSession;
  /** The host's own hostname, beside the container's. */
  hostHostname: string;
}

function footerMode(state: UiState, running: boolean): FooterMode {
  if (state.screen === 'picker') return 'picker';
  if (state.overlay === 'confirm-quit' || state.overlay === 'edit-command') return 'prompt';
  if (state.prefixArmed) return 'prefix';
  return running && state.overlay === 'none' ? 'passthrough' : 'commands';
}

export function App({ store, session, hostHostname }: AppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const { cols, rows } = useTerminalSize();
  const layout = layoutFor(cols, rows);
  useTerminalSessionSize(session, layout.termCols, layout.termRows);
  const running = isRunning(state);
  // Uptime moves with the stats poll: one update a second, not two.
  const now = state.stats?.at ?? Date.now();
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

  let main;
  if (state.screen === 'picker') {
    main = <Picker state={state.picker} width={cols} />;
  } else if (state.overlay === 'help') {
    main = <HelpOverlay width={cols} height={layout.mainHeight} />;
  } else {
    main = (
      // The container's terminal is right of the panels, drawn by the pane painter, not by Ink.
      <Box flexDirection="row" height={layout.mainHeight}>
        <SidePanels
          run={run}
          runs={state.runs}
          selectedHistory={state.selectedHistory}
          stats={state.stats}
          memoryHistory={state.memoryHistory}
          hostHostname={hostHostname}
          now={now}
          width={SIDE_WIDTH}
          height={layout.mainHeight}
        />
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={cols} height={layout.height}>
      <Box height={layout.mainHeight} flexDirection="column">
        {main}
      </Box>
      {state.overlay === 'confirm-quit' ? (
        <PromptLine label="A container is running: stop it and quit? (y/n)" width={cols} />
      ) : state.overlay === 'edit-command' ? (
        <PromptLine label="command:" value={state.editLine} width={cols} />
      ) : (
        <Footer mode={footerMode(state, running)} width={cols} />
      )}
    </Box>
  );
}
