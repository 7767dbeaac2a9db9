import { memo } from 'react';
import { Box } from 'ink';
import type { LiveStats, RunRecord, Sample } from '../types.js';
import { CONTAINER_PANEL_HEIGHT, ContainerPanel } from './ContainerPanel.js';
import { HOSTNAME_PANEL_HEIGHT, HostnamePanel } from './HostnamePanel.js';
import { MEMORY_PANEL_HEIGHT, MemoryPanel } from './MemoryPanel.js';
import { NETWORK_PANEL_HEIGHT, NetworkPanel } from './NetworkPanel.js';
import { PROCESSES_PANEL_HEIGHT, ProcessesPanel } from './ProcessesPanel.js';
import { EXIT_PANEL_COMPACT_HEIGHT, EXIT_PANEL_HEIGHT, ExitPanel } from './ExitPanel.js';
import { HISTORY_DETAIL_ROWS, HISTORY_PANEL_CHROME, HistoryPanel } from './HistoryPanel.js';
import { LAB_PANEL_MIN_HEIGHT, LabPanel } from './LabPanel.js';
import type { LabView } from '../types.js';
import { useStatsNow } from './statsNow.js';

export interface SidePanelsProps {
  /** The run on screen (the latest one). */
  run: RunRecord | null;
  /** Every run of the session, oldest first. */
  runs: readonly RunRecord[];
  /** Index into `runs`, or null. */
  selectedHistory: number | null;
  /** The latest poll of the current container; null before the first one. */
  stats: LiveStats | null;
  /** Memory in use as it changed, oldest first (see UiState). */
  memorySamples: readonly Sample[];
  hostHostname: string;
  /** The lab being followed: its panel takes the history's place. */
  lab?: LabView | null;
  /** ms since the epoch. */
  now: number;
  width: number;
  /** Rows available to the column. */
  height: number;
}

/** Rows of the panels that are always shown. */
const FIXED_HEIGHT = CONTAINER_PANEL_HEIGHT + HOSTNAME_PANEL_HEIGHT + MEMORY_PANEL_HEIGHT + PROCESSES_PANEL_HEIGHT;

export interface SidePanelsLayout {
  /** 0: no history panel. */
  historyRows: number;
  network: boolean;
  compactExit: boolean;
  /** Not even the compact column fits: it is cut at the bottom. */
  clipped: boolean;
}

/** What fits in `height` rows: the network panel only beside a history of a row at least; short of that, the history
 * goes before the exit panel's error lines. */
export function sidePanelsLayout(height: number): SidePanelsLayout {
  const below = height - FIXED_HEIGHT;
  const network = below - NETWORK_PANEL_HEIGHT - EXIT_PANEL_HEIGHT - HISTORY_PANEL_CHROME >= 1;
  const rest = network ? below - NETWORK_PANEL_HEIGHT : below;
  const historyRows = rest - EXIT_PANEL_HEIGHT - HISTORY_PANEL_CHROME;
  return { historyRows: Math.max(0, historyRows), network, compactExit: rest < EXIT_PANEL_HEIGHT, clipped: below < EXIT_PANEL_COMPACT_HEIGHT };
}

/** A lab's text wants this many rows before the network panel takes any from it. */
const LAB_TEXT_ROWS = 2 * LAB_PANEL_MIN_HEIGHT;

/** The memory panel's figures: the polls while the run lasts, then the run's own totals from its
 * exit status (the peak and OOM kills over its whole life, which a run too short to poll has too). */
export function memoryShown(stats: LiveStats | null, run: RunRecord | null): LiveStats['memory'] | undefined {
  const final = run?.status?.memory;
  if (!final) return stats ? stats.memory : undefined;
  // current is not shown once the run has ended (see MemoryPanel).
  return { current: 0, peak: final.peak ?? stats?.memory?.peak ?? null, limit: final.limit, oomKills: final.oomKills };
}

/** The column of live panels beside the container's terminal. */
export const SidePanels = memo(function SidePanels(props: SidePanelsProps) {
  const { run, runs, selectedHistory, stats, memorySamples, hostHostname, lab, now, width, height } = props;
  const layout = sidePanelsLayout(height);
  // The figures' lines read the latest figures (see LiveText): a poll that changes only figures draws no frame.
  const statsNow = useStatsNow({ stats, memorySamples });
  const liveMemory = () => {
    const latest = statsNow();
    return { memory: memoryShown(latest.stats, run), samples: latest.memorySamples };
  };
  const alwaysShown = (
    <>
      <ContainerPanel run={run} now={now} width={width} />
      <HostnamePanel hostname={stats?.hostname ?? null} hostHostname={hostHostname} width={width} />
      <MemoryPanel
        memory={memoryShown(stats, run)}
        samples={memorySamples}
        live={liveMemory}
        now={now}
        endedAt={run?.endedAt ?? null}
        width={width}
      />
      <ProcessesPanel
        pids={stats?.pids ?? null}
        live={() => statsNow().stats?.pids ?? null}
        ended={run?.phase === 'exited'}
        now={now}
        width={width}
      />
    </>
  );
  const network = (
    <NetworkPanel
      network={stats?.network ?? null}
      live={() => statsNow().stats?.network ?? null}
      ended={run?.phase === 'exited'}
      now={now}
      width={width}
    />
  );
  if (lab) {
    // The lab panel takes all the room below a compact exit panel, at least its minimum (the column is cut then).
    const room = height - FIXED_HEIGHT - EXIT_PANEL_COMPACT_HEIGHT;
    const withNetwork = room - NETWORK_PANEL_HEIGHT >= LAB_TEXT_ROWS;
    const labHeight = withNetwork ? room - NETWORK_PANEL_HEIGHT : room;
    return (
      <Box flexDirection="column" width={width} height={height} overflow={labHeight < LAB_PANEL_MIN_HEIGHT ? 'hidden' : 'visible'} flexShrink={0}>
        {alwaysShown}
        {withNetwork && network}
        <ExitPanel run={run} width={width} compact />
        <LabPanel lab={lab} width={width} height={Math.max(LAB_PANEL_MIN_HEIGHT, labHeight)} />
      </Box>
    );
  }
  return (
    // As tall as what it shows, and clipped only on a very short terminal, so that it never
    // pushes the layout taller: Ink builds and cuts every cell of its frame anew, every second.
    <Box flexDirection="column" width={width} {...(layout.clipped ? { height, overflow: 'hidden' } : {})} flexShrink={0}>
      {alwaysShown}
      {layout.network && network}
      <ExitPanel run={run} width={width} compact={layout.compactExit} />
      {layout.historyRows > 0 && (
        <HistoryPanel
          runs={runs}
          selected={selectedHistory}
          maxRows={Math.min(layout.historyRows, Math.max(1, runs.length) + (selectedHistory !== null ? HISTORY_DETAIL_ROWS : 0))}
          width={width}
        />
      )}
    </Box>
  );
});
