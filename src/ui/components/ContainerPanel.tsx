import { memo } from 'react';
import { joinCommandLine } from '../commandLine.js';
import { Box, Text } from 'ink';
import type { RunPhase, RunRecord } from '../types.js';
import { formatDuration, panelInnerWidth, truncate } from '../format.js';
import type { TextRun } from '../services/screen.js';
import { LiveText } from './LiveText.js';

/** Rows the panel always takes, border included, so the column below never jumps. */
export const CONTAINER_PANEL_HEIGHT = 8;

export interface ContainerPanelProps {
  run: RunRecord | null;
  /** ms since the epoch: passed in so the panel has no timer of its own. */
  now: number;
  width: number;
}

const PHASE_COLOR: Record<RunPhase, string> = { starting: 'yellow', running: 'green', exited: 'gray' };

/** Both PIDs of the container's first process; the shorter form when the panel is narrow. */
function pidLine(hostPid: number | null, inner: number): string {
  const full = `PID 1 inside · host PID ${hostPid ?? '—'}`;
  return full.length <= inner ? full : `PID 1 · host PID ${hostPid ?? '—'}`;
}

/** "running · up 1m 05s": the state, and how long the container has run by `now`; once ended, "exited · ran 1m 05s";
 * asked to stop, "stopping · SIGKILL in 7s". */
export function runStateLine(run: RunRecord, now: number): TextRun[] {
  const ended = run.phase === 'exited';
  if (!ended && run.killAt !== null) {
    // Asked to stop: a shell as PID 1 ignores SIGTERM, so say what comes and when.
    const seconds = Math.max(0, Math.ceil((run.killAt - now) / 1000));
    return [{ text: 'stopping', color: 'yellow' }, { text: ` · SIGKILL in ${seconds}s` }];
  }
  const ran = formatDuration((ended ? (run.endedAt ?? now) : now) - run.startedAt);
  return [{ text: run.phase, color: PHASE_COLOR[run.phase] }, { text: ended ? ` · ran ${ran}` : ` · up ${ran}` }];
}

/** Who the command runs as and where, and the image, once started: "image alpine:3.19 · as app in /srv/app". */
export function startedLine(run: RunRecord): string {
  if (!run.started) return '';
  const { user, workdir, image } = run.started;
  return `${image ? `image ${image} · ` : ''}as ${user ?? 'root'} in ${workdir ?? '/'}`;
}

/** The current container: id, state, uptime, both PIDs of its first process, command (an image's filled in), user and directory. */
export const ContainerPanel = memo(function ContainerPanel({ run, now, width }: ContainerPanelProps) {
  const inner = panelInnerWidth(width);
  return (
    <Box borderStyle="round" flexDirection="column" width={width} height={CONTAINER_PANEL_HEIGHT} paddingX={1} flexShrink={0}>
      <Text bold>Container</Text>
      {run === null ? (
        <Text dimColor>no container yet</Text>
      ) : (
        <>
          <Text wrap="truncate-end">id {run.id ?? '—'}</Text>
          <LiveText line={(at) => runStateLine(run, at)} now={now} />
          <Text wrap="truncate-end">{pidLine(run.hostPid, inner)}</Text>
          <Text dimColor>{truncate(`$ ${joinCommandLine(run.started?.command ?? run.options.command)}`, inner)}</Text>
          <Text dimColor>{truncate(startedLine(run), inner)}</Text>
        </>
      )}
    </Box>
  );
});
