import { memo } from 'react';
import { Box, Text } from 'ink';
import type { LiveStats, Sample } from '../types.js';
import { bar, formatBytes, panelInnerWidth, sparkline, timeSlices } from '../format.js';
import { MEMORY_WINDOW_MS } from '../state.js';
import type { TextRun } from '../services/screen.js';
import { LiveText } from './LiveText.js';

export const MEMORY_PANEL_HEIGHT = 8;

export interface MemoryPanelProps {
  /** null: the container has no memory cgroup; undefined: no reading yet. */
  memory: LiveStats['memory'] | undefined;
  /** Bytes in use as they changed, oldest first: the last minute, and the reading before it. */
  samples: readonly Sample[];
  /** The time this render shows (ms since the epoch): the sparkline ends there... */
  now: number;
  /** ...or where the run ended, if it has. */
  endedAt: number | null;
  width: number;
}

function usageColor(fraction: number): string {
  if (fraction >= 0.9) return 'red';
  if (fraction >= 0.75) return 'yellow';
  return 'green';
}

/** Usage against the limit as a bar, peak, OOM kills and a sparkline of the last minute. */
export const MemoryPanel = memo(function MemoryPanel({ memory, samples, now, endedAt, width }: MemoryPanelProps) {
  const inner = panelInnerWidth(width);
  // A zero limit would divide by zero; the runtime reports "none" as null, so treat both alike.
  const limit = memory && memory.limit !== null && memory.limit > 0 ? memory.limit : null;
  const values = samples.map((sample) => sample.value);
  // One block per slice of the minute, so it moves on with the clock (a live line) until the run ends.
  const sparkLine = (at: number): TextRun[] => [
    { text: sparkline(timeSlices(samples, Math.min(at, endedAt ?? at), inner, MEMORY_WINDOW_MS), limit ?? Math.max(...values)), color: 'cyan' },
  ];
  return (
    <Box borderStyle="round" flexDirection="column" width={width} height={MEMORY_PANEL_HEIGHT} paddingX={1} flexShrink={0}>
      <Text bold>Memory</Text>
      {memory === undefined && <Text dimColor>—</Text>}
      {memory === null && (
        <>
          <Text wrap="truncate-end">memory: no memory cgroup</Text>
          <Text dimColor wrap="truncate-end">
            usage not measured
          </Text>
        </>
      )}
      {memory && endedAt !== null && (
        // Ended: the cgroup is gone, so no figure that looks live; the run's own totals.
        <>
          <Text dimColor wrap="truncate-end">
            ended: nothing in use now
          </Text>
          <Text wrap="truncate-end">limit {limit !== null ? formatBytes(limit) : 'none'}</Text>
        </>
      )}
      {memory && endedAt === null && (
        <>
          {limit !== null ? (
            <Text wrap="truncate-end">
              {'['}
              {/* " 100%" after the bar takes 5 columns, the brackets 2. */}
              <Text color={usageColor(memory.current / limit)}>{bar(memory.current / limit, inner - 7)}</Text>
              {'] '}
              {Math.round((memory.current / limit) * 100)}%
            </Text>
          ) : (
            // No limit to be a fraction of: show current against the highest seen.
            <Text wrap="truncate-end">
              {'['}
              <Text dimColor>{bar(memory.current / Math.max(memory.current, memory.peak ?? 0, ...values), inner - 2)}</Text>
              {']'}
            </Text>
          )}
          <Text wrap="truncate-end">
            {formatBytes(memory.current)} / {limit !== null ? formatBytes(limit) : 'no limit'}
          </Text>
        </>
      )}
      {memory && (
        <>
          <Text wrap="truncate-end">peak {memory.peak !== null ? formatBytes(memory.peak) : '—'}</Text>
          <Text color={memory.oomKills > 0 ? 'red' : undefined} bold={memory.oomKills > 0} wrap="truncate-end">
            OOM kills: {memory.oomKills}
          </Text>
          {samples.length > 0 ? <LiveText line={sparkLine} now={now} /> : <Text dimColor>no samples yet</Text>}
        </>
      )}
    </Box>
  );
});
