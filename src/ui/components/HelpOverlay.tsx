import { Box, Text } from 'ink';
import { memo } from 'react';
import { BINDINGS, PREFIX_LABEL } from '../keymap.js';

/** Every key, shown with `?`. */
export const HelpOverlay = memo(function HelpOverlay({ width, height }: { width: number; height: number }) {
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      <Text>
        While a container runs, every key goes to it. Press <Text bold color="cyan">{PREFIX_LABEL}</Text> first to
        give one command; once it has exited, keys are commands. Ctrl-C always goes to the container.
      </Text>
      <Text> </Text>
      {BINDINGS.map((b) => (
        <Text key={b.command}>
          <Text bold color="cyan">{b.label.padEnd(8)}</Text>
          {b.description}
        </Text>
      ))}
      <Text> </Text>
      <Text dimColor>any key closes this</Text>
    </Box>
  );
});
