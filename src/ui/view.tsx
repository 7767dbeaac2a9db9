/**
 * The Ink view: the App rendered through a stdout that leaves the pane to the
 * pane painter. Loaded only once a direct run has started, since importing
 * Ink and React takes longer than starting a container (see main.tsx).
 */
import { render } from 'ink';
import * as os from 'node:os';
import { PassThrough } from 'node:stream';
import { App } from './App.js';
import { LiveLinesContext } from './components/LiveText.js';
import { LatestStatsContext } from './components/statsNow.js';
import type { LiveLines } from './services/liveLines.js';
import { inkStdout, type PanePainter } from './services/panePainter.js';
import type { TerminalSession } from './services/terminalSession.js';
import type { Store } from './store.js';
import { mark } from './services/trace.js';

export interface View {
  /** Draw everything again on a cleared screen. */
  redraw(): void;
  unmount(): void;
}

export function mountView(
  store: Store,
  session: TerminalSession,
  painter: PanePainter,
  liveLines: LiveLines,
  inkColumns: () => number,
  ownsTerminal: () => boolean,
): View {
  const { stdout } = process;
  const app = (
    <LiveLinesContext.Provider value={liveLines}>
      <LatestStatsContext.Provider value={store.getState}>
        <App store={store} terminal={stdout} hostHostname={os.hostname()} />
      </LatestStatsContext.Provider>
    </LiveLinesContext.Provider>
  );
  // Ink gets a stdin of its own that never speaks: keys are read raw in main.tsx, every byte of them.
  const inkOut = inkStdout(stdout, painter, inkColumns, ownsTerminal);
  const inkOptions = {
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    stdout: inkOut,
    exitOnCtrlC: false,
    patchConsole: false,
    // The pane paces its own frames (by what they cost); Ink's cap only has to
    // stay out of the way of a key's echo or a re-run's first output.
    maxFps: 100,
    // Frames are paced by what they cost, so drawing never starves reading output.
    onRender: ({ renderTime }: { renderTime: number }) => {
      mark(`ink frame ${renderTime.toFixed(3)}`);
      session.setFrameCost(renderTime);
    },
  };
  let ink = render(app, inkOptions);
  return {
    // Ink writes only what differs from what it believes is on screen: a redraw
    // starts it afresh on a cleared screen (the state lives in the store).
    redraw() {
      ink.unmount();
      inkOut.write('\x1b[2J\x1b[H\x1b[?25l'); // through Ink's stdout: the pane is painted again after the first frame
      ink = render(app, inkOptions);
    },
    unmount() {
      ink.unmount();
    },
  };
}
