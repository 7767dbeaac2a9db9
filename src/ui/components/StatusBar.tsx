import { memo } from 'react';
import { joinCommandLine } from '../commandLine.js';
import { formatBytes, formatDuration } from '../format.js';
import type { TextRun } from '../services/screen.js';
import type { LiveStats, RunRecord } from '../types.js';
import { runStateLine } from './ContainerPanel.js';
import { LiveText } from './LiveText.js';
import { useStatsNow } from './statsNow.js';
import { networkStatusText, portsText } from './NetworkPanel.js';
import { memoryShown } from './SidePanels.js';

export interface StatusBarProps {
  /** The run on screen (the latest one). */
  run: RunRecord | null;
  /** A past run picked in the history (h/↑), shown instead of the current one. */
  selected: RunRecord | null;
  stats: LiveStats | null;
  /** ms since the epoch. */
  now: number;
}

const SEPARATOR: TextRun = { text: ' · ', dim: true };

/** "exit 0", green, or "exit 137 (SIGKILL) OOM-killed" in red. */
function exitRuns(run: RunRecord): TextRun[] {
  const { status } = run;
  if (!status) return [];
  return [
    { text: `exit ${status.code}${status.signal ? ` (${status.signal})` : ''}`, color: status.code === 0 ? 'green' : 'red', bold: true },
    ...(status.oomKilled ? [{ text: ' OOM-killed', color: 'red', bold: true }] : []),
  ];
}

/** What the panel column shows of the current run, on one line, most needed first (the end is cut on a narrow terminal). */
export function statusBarLine(run: RunRecord | null, stats: LiveStats | null, now: number): TextRun[] {
  if (!run) return [{ text: 'no container yet', dim: true }];
  const ended = run.phase === 'exited';
  const memory = memoryShown(stats, run);
  const limit = memory?.limit ? ` / ${formatBytes(memory.limit)}` : '';
  const parts: TextRun[][] = [
    [{ text: `#${run.seq} `, bold: true }, ...runStateLine(run, now)],
    ...(ended ? [exitRuns(run)] : []),
    ...(memory && !ended ? [[{ text: `mem ${formatBytes(memory.current)}${limit}` }]] : []),
    ...(memory?.peak != null && ended ? [[{ text: `peak ${formatBytes(memory.peak)}${limit}` }]] : []),
    ...(memory?.oomKills ? [[{ text: `OOM kills ${memory.oomKills}`, color: 'red' }]] : []),
    ...(stats?.pids && !ended ? [[{ text: `procs ${stats.pids.current}/${stats.pids.limit ?? '∞'}` }]] : []),
    [{ text: `PID 1 (host ${run.hostPid ?? '—'})` }],
    ...(stats?.hostname ? [[{ text: `hostname ${stats.hostname}` }]] : []),
    ...(stats && !ended ? [[{ text: networkStatusText(stats.network) }]] : []),
    ...(stats?.network.ports.length && !ended ? [[{ text: portsText(stats.network.ports) }]] : []),
    ...(memory?.peak != null && !ended ? [[{ text: `peak ${formatBytes(memory.peak)}` }]] : []),
  ];
  return parts.flatMap((part, i) => (i === 0 ? part : [SEPARATOR, ...part]));
}

/** A past run as the history remembers it: command, rootfs, exit, how long it ran, its peak memory. */
export function pastRunLine(run: RunRecord): TextRun[] {
  const ran = run.endedAt !== null ? formatDuration(run.endedAt - run.startedAt) : '—';
  const peak = run.status?.memory?.peak;
  return [
    { text: `history #${run.seq} `, bold: true, color: 'cyan' },
    ...(run.status ? exitRuns(run) : [{ text: 'running', color: 'green' }]),
    SEPARATOR,
    { text: `ran ${ran}` },
    ...(peak != null ? [SEPARATOR, { text: `peak ${formatBytes(peak)}` }] : []),
    SEPARATOR,
    { text: `$ ${joinCommandLine(run.options.command)}` },
    SEPARATOR,
    { text: run.options.rootfs },
  ];
}

/** The panels on one line above the pane, on a terminal too narrow for their column (see layout.ts). */
export const StatusBar = memo(function StatusBar({ run, selected, stats, now }: StatusBarProps) {
  const statsNow = useStatsNow({ stats, memorySamples: [] });
  return <LiveText line={(at) => (selected ? pastRunLine(selected) : statusBarLine(run, statsNow().stats, at))} now={now} />;
});
