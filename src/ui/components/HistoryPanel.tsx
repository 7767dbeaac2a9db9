import { memo } from 'react';
import { joinCommandLine } from '../commandLine.js';
import { Box, Text } from 'ink';
import type { RunRecord } from '../types.js';
import { formatBytes, formatDuration, panelInnerWidth, truncate } from '../format.js';

/** Lines under the selected run: how long it ran, its peak memory, its rootfs. */
export const HISTORY_DETAIL_ROWS = 2;

/** Border and title around the rows. */
export const HISTORY_PANEL_CHROME = 3;

export interface HistoryPanelProps {
  /** Oldest first. */
  runs: readonly RunRecord[];
  /** Index into `runs`, or null when nothing is selected. */
  selected: number | null;
  maxRows: number;
  width: number;
}

/** Which of runs[] to show, newest first: the latest `rows`, moved back far enough to include the selection. */
function visibleIndexes(count: number, selected: number | null, rows: number): number[] {
  let newest = count - 1;
  if (selected !== null && selected >= 0 && selected < count && selected < newest - rows + 1) {
    newest = selected + rows - 1;
  }
  const indexes: number[] = [];
  for (let i = newest; i >= 0 && indexes.length < rows; i--) indexes.push(i);
  return indexes;
}

function Outcome({ run }: { run: RunRecord }) {
  if (run.status === null) return <Text color="yellow">…</Text>;
  const { code, oomKilled } = run.status;
  return (
    <>
      {code === 0 ? <Text color="green">✓ 0</Text> : <Text color="red">✗ {code}</Text>}
      {oomKilled ? <Text color="red"> OOM</Text> : ''}
    </>
  );
}

/** Outcome text without colour, to measure how much room is left for the command. */
function outcomeText(run: RunRecord): string {
  if (run.status === null) return '…';
  return (run.status.code === 0 ? '✓ 0' : `✗ ${run.status.code}`) + (run.status.oomKilled ? ' OOM' : '');
}

/** What the history remembers of a run beyond its line: how long it ran, its peak memory, its rootfs. */
function details(run: RunRecord, inner: number): string[] {
  const ran = run.endedAt !== null ? `ran ${formatDuration(run.endedAt - run.startedAt)}` : 'running';
  const peak = run.status?.memory?.peak;
  return [`${ran}${peak != null ? ` · peak ${formatBytes(peak)}` : ''}`, `on ${run.options.rootfs}`].map((line) => truncate(`   ${line}`, inner));
}

/** This session's runs, newest first, one line each; the selected one inverse and pointed at, with its details under it when there is room. */
export const HistoryPanel = memo(function HistoryPanel({ runs, selected, maxRows, width }: HistoryPanelProps) {
  const inner = panelInnerWidth(width);
  const withDetails = selected !== null && maxRows > HISTORY_DETAIL_ROWS;
  const rows = Math.max(1, Math.floor(maxRows) - (withDetails ? HISTORY_DETAIL_ROWS : 0));
  return (
    <Box
      borderStyle="round"
      flexDirection="column"
      width={width}
      height={rows + (withDetails ? HISTORY_DETAIL_ROWS : 0) + HISTORY_PANEL_CHROME}
      paddingX={1}
      flexShrink={0}
    >
      <Text bold>History</Text>
      {runs.length === 0 && <Text dimColor>no runs yet</Text>}
      {visibleIndexes(runs.length, selected, rows).map((index) => {
        const run = runs[index]!;
        const isSelected = index === selected;
        // The pointer keeps the selection visible on terminals without colour.
        const head = `${isSelected ? '›' : ' '} #${run.seq} `;
        const used = Array.from(head + outcomeText(run)).length + 2;
        return (
          <Box key={run.seq} flexDirection="column">
            <Text inverse={isSelected} wrap="truncate-end">
              {head}
              <Outcome run={run} />
              {'  '}
              {truncate(joinCommandLine(run.options.command), inner - used)}
            </Text>
            {isSelected &&
              withDetails &&
              details(run, inner).map((line) => (
                <Text key={line} dimColor>
                  {line}
                </Text>
              ))}
          </Box>
        );
      })}
    </Box>
  );
});
