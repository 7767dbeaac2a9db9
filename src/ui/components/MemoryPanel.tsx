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
  /** The figures as they are now, for the lines that show them (see LiveText): `memory` and `samples` by default. */
  live?: () => MemoryFigures;
  /** The time this render shows (ms since the epoch): the sparkline ends there... */
  now: number;
  /** ...or where the run ended, if it has. */
  endedAt: number | null;
  width: number;
}

export interface MemoryFigures {
  memory: LiveStats['memory'] | undefined;
  samples: readonly Sample[];
}

function usageColor(fraction: number): string {
  if (fraction >= 0.9) return 'red';
  if (fraction >= 0.75) return 'yellow';
  return 'green';
}

type Memory = NonNullable<LiveStats['memory']>;

/** A zero limit would divide by zero; the runtime reports "none" as null, so treat both alike. */
const limitOf = (memory: Memory): number | null => (memory.limit !== null && memory.limit > 0 ? memory.limit : null);

/** Usage against the limit as a bar and a percentage; with no limit, against the highest seen. */
function usageRuns(memory: Memory, samples: readonly Sample[], inner: number): TextRun[] {
  const limit = limitOf(memory);
  if (limit !== null) {
    // " 100%" after the bar takes 5 columns, the brackets 2.
    const fraction = memory.current / limit;
    return [{ text: '[' }, { text: bar(fraction, inner - 7), color: usageColor(fraction) }, { text: `] ${Math.round(fraction * 100)}%` }];
  }
  const highest = Math.max(memory.current, memory.peak ?? 0, ...samples.map((sample) => sample.value));
  return [{ text: '[' }, { text: bar(memory.current / highest, inner - 2), dim: true }, { text: ']' }];
}

/** Usage against the limit as a bar, peak, OOM kills and a sparkline of the last minute. */
export const MemoryPanel = memo(function MemoryPanel({ memory, samples, live, now, endedAt, width }: MemoryPanelProps) {
  const inner = panelInnerWidth(width);
  // The lines below draw the latest figures while they keep the shape this render laid out (a memory cgroup).
  const figures = (): { memory: Memory; samples: readonly Sample[] } => {
    const latest = live?.();
    return latest?.memory ? { memory: latest.memory, samples: latest.samples } : { memory: memory!, samples };
  };
  const liveLine = (runs: (figures: { memory: Memory; samples: readonly Sample[] }, at: number) => TextRun[]) => (at: number) => runs(figures(), at);
  // One block per slice of the minute, so it moves on with the clock (a live line) until the run ends.
  const sparkLine = liveLine(({ memory, samples }, at) =>
    samples.length === 0
      ? [{ text: 'no samples yet', dim: true }]
      : [
          {
            text: sparkline(
              timeSlices(samples, Math.min(at, endedAt ?? at), inner, MEMORY_WINDOW_MS),
              limitOf(memory) ?? Math.max(...samples.map((sample) => sample.value)),
            ),
            color: 'cyan',
          },
        ],
  );
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
          <Text wrap="truncate-end">limit {limitOf(memory) !== null ? formatBytes(limitOf(memory)!) : 'none'}</Text>
        </>
      )}
      {memory && endedAt === null && (
        <>
          <LiveText line={liveLine(({ memory, samples }) => usageRuns(memory, samples, inner))} now={now} />
          <LiveText
            line={liveLine(({ memory }) => [
              { text: `${formatBytes(memory.current)} / ${limitOf(memory) !== null ? formatBytes(limitOf(memory)!) : 'no limit'}` },
            ])}
            now={now}
          />
        </>
      )}
      {memory && (
        <>
          <LiveText line={liveLine(({ memory }) => [{ text: `peak ${memory.peak !== null ? formatBytes(memory.peak) : '—'}` }])} now={now} />
          <LiveText
            line={liveLine(({ memory }) => [{ text: `OOM kills: ${memory.oomKills}`, ...(memory.oomKills > 0 ? { color: 'red', bold: true } : {}) }])}
            now={now}
          />
          <LiveText line={sparkLine} now={now} />
        </>
      )}
    </Box>
  );
});
