import { memo } from 'react';
import { Box, Text } from 'ink';
import type { LabView } from '../types.js';
import { firstLines, panelInnerWidth, truncate, wrapLines } from '../format.js';

/** Rows the panel needs at the least: border, status, step title, a line of text, the check. */
export const LAB_PANEL_MIN_HEIGHT = 6;

export interface LabPanelProps {
  lab: LabView;
  width: number;
  /** Rows it may take, border included. */
  height: number;
}

/** Where the lab stands, and the key that moves it on. */
function statusText(lab: LabView): string {
  if (lab.complete) return `✓ lab complete: all ${lab.steps} steps done · Ctrl-] L leaves it, Ctrl-] [ goes back`;
  if (!lab.passed) return `… waiting for ${lab.waiting}`;
  return lab.step === lab.steps - 1 ? '✓ done: Ctrl-] ] finishes the lab' : '✓ done: Ctrl-] ] next step';
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
    const kept = firstLines(lines, room, inner);
    room -= kept.length;
    return kept;
  };
  const stepTitle = take([truncate(lab.stepTitle, inner)]);
  const status = take(wrapLines(statusText(lab), inner, 2));
  // The explanation keeps a line at the least (its "…" says there is more), however much the rest takes.
  const textReserve = lab.text.trim() === '' ? 0 : 1;
  room -= textReserve;
  const command = take(lab.command === null ? [] : wrapLines(`$ ${lab.command}`, inner, 2));
  const views = take(lab.views.flatMap((line) => wrapLines(line, inner, 2)));
  room += textReserve;
  const text = take(wrapLines(lab.text, inner, room));
  return (
    <Box
      borderStyle="round"
      borderColor={lab.passed || lab.complete ? 'green' : 'yellow'}
      flexDirection="column"
      width={width}
      height={height}
      paddingX={1}
      flexShrink={0}
    >
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
        <Text key={`s${i}`} color={lab.passed || lab.complete ? 'green' : 'yellow'}>
          {line}
        </Text>
      ))}
    </Box>
  );
});
