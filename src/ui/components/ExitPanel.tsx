import { memo } from 'react';
import { Box, Text } from 'ink';
import type { RunRecord } from '../types.js';
import { formatBytes, formatDuration, panelInnerWidth, wrapLines } from '../format.js';

/** With up to two lines of the runtime's error message. */
export const EXIT_PANEL_HEIGHT = 7;
/** Without the error lines, for short terminals. */
export const EXIT_PANEL_COMPACT_HEIGHT = 5;

const ERROR_LINES = 2;

export interface ExitPanelProps {
  run: RunRecord | null;
  width: number;
  /** Drop the error message lines to save rows. */
  compact?: boolean;
}

/** How the last run ended: exit code, signal, OOM kill, runtime error, how long it ran and its peak memory. */
export const ExitPanel = memo(function ExitPanel({ run, width, compact = false }: ExitPanelProps) {
  const status = run?.status ?? null;
  return (
    <Box
      borderStyle="round"
      flexDirection="column"
      width={width}
      height={compact ? EXIT_PANEL_COMPACT_HEIGHT : EXIT_PANEL_HEIGHT}
      paddingX={1}
      flexShrink={0}
    >
      <Text bold>Exit</Text>
      {run === null && <Text dimColor>—</Text>}
      {run !== null && status === null && <Text color="yellow">{run.phase === 'starting' ? 'starting…' : 'running…'}</Text>}
      {run !== null && status !== null && (
        <>
          <Text wrap="truncate-end">
            {'exit code '}
            <Text color={status.code === 0 ? 'green' : 'red'} bold>
              {status.code}
            </Text>
            {status.signal ? ` (${status.signal})` : ''}
          </Text>
          <Text wrap="truncate-end">
            {'ran '}
            {run.endedAt !== null ? formatDuration(run.endedAt - run.startedAt) : '—'}
            {status.oomKilled && (
              <>
                {' · '}
                <Text color="red" bold>
                  OOM-killed
                </Text>
              </>
            )}
            {/* After OOM-killed, which matters more where the line is cut. */}
            {status.memory?.peak != null ? ` · peak ${formatBytes(status.memory.peak)}` : ''}
          </Text>
          {!compact && status.error
            ? wrapLines(status.error, panelInnerWidth(width), ERROR_LINES).map((line, i) => (
                <Text key={i} color="red">
                  {line}
                </Text>
              ))
            : null}
        </>
      )}
    </Box>
  );
});
