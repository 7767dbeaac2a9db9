import { memo } from 'react';
import { Box, Text } from 'ink';
import type { LabView } from '../types.js';
import { panelInnerWidth, truncate, wrapLines } from '../format.js';

/** Rows the panel needs at the least: border, status, step title, a line of text, the check. */
export const LAB_PANEL_MIN_HEIGHT = 6;

export interface LabPanelProps {
  lab: LabView;
  width: number;
  /** Rows it may take, border included. */
  height: number;
}

/**
 * The step of the lab being followed: where it is, what it explains, the
 * command to try, the host's view beside the container's, and a check mark
 * once the step's check passes. Whatever the height, the top line and the
 * check stay; the text gets what room the rest leaves.
 */
export const LabPanel = memo(function LabPanel({ lab, width, height }: LabPanelProps) {
  const inner = panelInnerWidth(width);
  // What fits, most needed first: the status line, the step's title, the check, the command, the views, then the text.
  let room = height - 3;
  const take = (lines: string[]): string[] => {
    const kept = lines.slice(0, Math.max(0, room));
    room -= kept.length;
    return kept;
  };
  const stepTitle = take([truncate(lab.stepTitle, inner)]);
  const status = take(wrapLines(lab.passed ? '✓ done: Ctrl-] ] next step' : `… waiting for ${lab.waiting}`, inner, 2));
  const command = take(lab.command === null ? [] : wrapLines(`$ ${lab.command}`, inner, 2));
  const views = take(lab.views.flatMap((line) => wrapLines(line, inner, 2)));
  const text = take(wrapLines(lab.text, inner, room));
  return (
    <Box borderStyle="round" borderColor={lab.passed ? 'green' : 'yellow'} flexDirection="column" width={width} height={height} paddingX={1} flexShrink={0}>
      <Text bold>
        {`Lab · step ${lab.step + 1}/${lab.steps} `}
        {lab.passed ? <Text color="green">✓</Text> : <Text color="yellow">…</Text>}
      </Text>
      {stepTitle.map((line) => (
        <Text key="title" bold color="cyan">
          {line}
        </Text>
      ))}
      {text.map((line, i) => (
        <Text key={`t${i}`}>{line}</Text>
      ))}
      {command.map((line, i) => (
        <Text key={`c${i}`} color="cyan">
          {line}
        </Text>
      ))}
      {views.map((line, i) => (
        <Text key={`v${i}`} dimColor>
          {line}
        </Text>
      ))}
      {status.map((line, i) => (
        <Text key={`s${i}`} color={lab.passed ? 'green' : 'yellow'}>
          {line}
        </Text>
      ))}
    </Box>
  );
});
