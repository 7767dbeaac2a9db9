import { memo } from 'react';
import { Box, Text } from 'ink';
import type { LiveStats } from '../types.js';

export const PROCESSES_PANEL_HEIGHT = 4;

export interface ProcessesPanelProps {
  /** From the pids cgroup; null before the first poll. */
  pids: LiveStats['pids'] | null;
  /** The run has ended: its last poll is history, not a count. */
  ended: boolean;
  width: number;
}

/** How many processes the container has against its pids.max; yellow once near the limit (fork bombs). */
export const ProcessesPanel = memo(function ProcessesPanel({ pids, ended, width }: ProcessesPanelProps) {
  const nearLimit = !ended && pids !== null && pids.limit !== null && pids.current >= pids.limit * 0.9;
  return (
    <Box borderStyle="round" flexDirection="column" width={width} height={PROCESSES_PANEL_HEIGHT} paddingX={1} flexShrink={0}>
      <Text bold>Processes</Text>
      <Text wrap="truncate-end">
        {'processes: '}
        {ended ? (
          <Text dimColor>none, ended</Text>
        ) : pids === null ? (
          '—'
        ) : (
          <Text color={nearLimit ? 'yellow' : undefined}>
            {pids.current} / {pids.limit ?? 'no limit'}
          </Text>
        )}
      </Text>
    </Box>
  );
});
