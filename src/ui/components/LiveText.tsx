import { createContext, memo, useContext, useLayoutEffect, useRef } from 'react';
import { Box, Text, type DOMElement } from 'ink';
import type { LinePosition, LiveLines } from '../services/liveLines.js';
import type { TextRun } from '../services/screen.js';

/** Where live lines are kept while they are shown; without one (component tests), a LiveText is plain text. */
export const LiveLinesContext = createContext<LiveLines | null>(null);

export interface LiveTextProps {
  /** The line at a given time (ms since the epoch). */
  line: (now: number) => TextRun[];
  /** The time this render shows. */
  now: number;
}

/** The node's place on the screen, from Ink's last layout: Ink draws its frame from the top left. */
function positionOf(node: DOMElement | null): LinePosition | null {
  if (!node?.yogaNode) return null;
  let row = 1;
  let col = 1;
  for (let at: DOMElement | undefined = node; at?.yogaNode; at = at.parentNode) {
    row += at.yogaNode.getComputedTop();
    col += at.yogaNode.getComputedLeft();
  }
  return { row, col, width: node.yogaNode.getComputedWidth() };
}

/** One line of text that changes with the clock: drawn by Ink now, and by the pane painter as time goes on (see liveLines.ts). */
export const LiveText = memo(function LiveText({ line, now }: LiveTextProps) {
  const lines = useContext(LiveLinesContext);
  const box = useRef<DOMElement>(null);
  const latest = useRef(line);
  latest.current = line;
  // A layout effect runs once Ink has laid the frame out, and is undone before the node goes.
  useLayoutEffect(() => lines?.add({ runs: (at) => latest.current(at), position: () => positionOf(box.current) }), [lines]);
  return (
    <Box ref={box}>
      <Text wrap="truncate-end">
        {line(now).map(({ text, dim, ...style }, i) => (
          <Text key={i} dimColor={dim} {...style}>
            {text}
          </Text>
        ))}
      </Text>
    </Box>
  );
});
