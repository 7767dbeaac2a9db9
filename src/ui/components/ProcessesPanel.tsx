import { memo } from 'react';
import { Box, Text } from 'ink';
import type { TextRun } from '../services/screen.js';
import type { LiveStats } from '../types.js';
import { LiveText } from './LiveText.js';

export const PROCESSES_PANEL_HEIGHT = 4;

export interface ProcessesPanelProps {
  /** From the pids cgroup; null before the first poll. */
  pids: LiveStats['pids'] | null;
  /** The count as it is now, for the line that shows it (see LiveText): `pids` by default. */
  live?: () => LiveStats['pids'] | null;
  /** The run has ended: its last poll is history, not a count. */
  ended: boolean;
  /** The time this render shows (ms since the epoch). */
  now?: number;
  width: number;
}

/** "processes: 3 / 1024": yellow once near the limit (fork bombs). */
export function processesRuns(pids: LiveStats['pids'] | null, ended: boolean): TextRun[] {
  const label = { text: 'processes: ' };
  if (ended) return [label, { text: 'none, ended', dim: true }];
  if (pids === null) return [label, { text: '—' }];
  const nearLimit = pids.limit !== null && pids.current >= pids.limit * 0.9;
  return [label, { text: `${pids.current} / ${pids.limit ?? 'no limit'}`, ...(nearLimit ? { color: 'yellow' } : {}) }];
}

/** How many processes the container has against its pids.max. */
export const ProcessesPanel = memo(function ProcessesPanel({ pids, live, ended, now = 0, width }: ProcessesPanelProps) {
  return (
    <Box borderStyle="round" flexDirection="column" width={width} height={PROCESSES_PANEL_HEIGHT} paddingX={1} flexShrink={0}>
      <Text bold>Processes</Text>
      <LiveText line={() => processesRuns(pids === null ? null : (live?.() ?? pids), ended)} now={now} />
    </Box>
  );
});
