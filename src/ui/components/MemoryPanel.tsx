import { memo } from 'react';
import { Box, Text } from 'ink';
import type { LiveStats } from '../types.js';
import { bar, formatBytes, panelInnerWidth, sparkline } from '../format.js';

export const MEMORY_PANEL_HEIGHT = 8;

/** One sample a second: a minute of history at most. */
const MAX_SPARK_SAMPLES = 60;

export interface MemoryPanelProps {
  /** null: the container has no memory cgroup; undefined: no reading yet. */
  memory: LiveStats['memory'] | undefined;
  /** Bytes in use, oldest first, one a second. */
  history: readonly number[];
  width: number;
}

function usageColor(fraction: number): string {
  if (fraction >= 0.9) return 'red';
  if (fraction >= 0.75) return 'yellow';
  return 'green';
}

/** Usage against the limit as a bar, peak, OOM kills and a sparkline of the last minute. */
export const MemoryPanel = memo(function MemoryPanel({ memory, history, width }: MemoryPanelProps) {
  const inner = panelInnerWidth(width);
  const samples = history.slice(-Math.min(MAX_SPARK_SAMPLES, inner));
  // A zero limit would divide by zero; the runtime reports "none" as null, so treat both alike.
  const limit = memory && memory.limit !== null && memory.limit > 0 ? memory.limit : null;
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
      {memory && (
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
              <Text dimColor>{bar(memory.current / Math.max(memory.current, memory.peak ?? 0, ...samples), inner - 2)}</Text>
              {']'}
            </Text>
          )}
          <Text wrap="truncate-end">
            {formatBytes(memory.current)} / {limit !== null ? formatBytes(limit) : 'no limit'}
          </Text>
          <Text wrap="truncate-end">peak {memory.peak !== null ? formatBytes(memory.peak) : '—'}</Text>
          <Text color={memory.oomKills > 0 ? 'red' : undefined} bold={memory.oomKills > 0} wrap="truncate-end">
            OOM kills: {memory.oomKills}
          </Text>
          {samples.length > 0 ? (
            <Text color="cyan">{sparkline(samples, limit ?? Math.max(...samples))}</Text>
          ) : (
            <Text dimColor>no samples yet</Text>
          )}
        </>
      )}
    </Box>
  );
});
