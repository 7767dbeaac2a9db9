import { Box, Text } from 'ink';
import { memo } from 'react';

export interface TerminalPaneProps {
  title: string;
  width: number;
  height: number;
  /** Keys go to the container: the border says so. */
  focused: boolean;
}

/** The border around the container's terminal. The screen inside is drawn by
 * services/panePainter.ts, straight to the terminal, not through Ink. */
export const TerminalPane = memo(function TerminalPane({ title, width, height, focused }: TerminalPaneProps) {
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={focused ? 'green' : 'gray'}>
      <Box position="absolute" marginTop={-1} marginLeft={1}>
        <Text bold={focused}> {title} </Text>
      </Box>
    </Box>
  );
});
