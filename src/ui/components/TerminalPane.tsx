import { Box, Text } from 'ink';
import { memo } from 'react';
import type { ScreenLine, ScreenSnapshot } from '../services/screen.js';

export interface TerminalPaneProps {
  screen: ScreenSnapshot;
  title: string;
  width: number;
  height: number;
  /** Keys go to the container: the border says so. */
  focused: boolean;
}

const TerminalLine = memo(
  function TerminalLine({ line }: { line: ScreenLine }) {
    return (
      <Box height={1}>
        <Text wrap="truncate">
          {line.runs.map((run, i) => (
            <Text
              key={i}
              color={run.color}
              backgroundColor={run.backgroundColor}
              bold={run.bold}
              dimColor={run.dim}
              italic={run.italic}
              underline={run.underline}
              strikethrough={run.strikethrough}
              inverse={run.inverse}
            >
              {run.text}
            </Text>
          ))}
        </Text>
      </Box>
    );
  },
  (a, b) => a.line.key === b.line.key,
);

/** The container's terminal screen inside a border. */
export const TerminalPane = memo(function TerminalPane({ screen, title, width, height, focused }: TerminalPaneProps) {
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={focused ? 'green' : 'gray'}>
      <Box position="absolute" marginTop={-1} marginLeft={1}>
        <Text bold={focused}> {title} </Text>
      </Box>
      {screen.lines.map((line, y) => (
        <TerminalLine key={y} line={line} />
      ))}
    </Box>
  );
});
