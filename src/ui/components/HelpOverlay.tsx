import { Box, Text } from 'ink';
import { memo } from 'react';
import { BINDINGS, PREFIX_LABEL } from '../keymap.js';

/** Rows of the overlay besides the bindings: border, title, the paragraph (up to 3 lines), blanks, the last line. */
const CHROME_ROWS = 10;
const COLUMN_GAP = 3;

/** Every key, shown with `?`: in as many columns as the height needs. */
export const HelpOverlay = memo(function HelpOverlay({ width, height }: { width: number; height: number }) {
  const perColumn = Math.max(1, height - CHROME_ROWS);
  const columns: (typeof BINDINGS)[number][][] = [];
  for (let i = 0; i < BINDINGS.length; i += perColumn) columns.push(BINDINGS.slice(i, i + perColumn));
  // Columns apart by a gap, so that a description cut short ("…") never runs into the next column's key.
  const columnWidth = Math.floor((width - 4 - COLUMN_GAP * (columns.length - 1)) / columns.length);
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      <Text>
        While a container runs, every key goes to it. Press{' '}
        <Text bold color="cyan">
          {PREFIX_LABEL}
        </Text>{' '}
        first to give one command; once it has exited, keys are commands. Ctrl-C always goes to the container.
      </Text>
      <Text wrap="truncate-end">Mouse: wheel scrolls, drag copies (Shift: your terminal's own selection)</Text>
      <Text> </Text>
      <Box flexDirection="row">
        {columns.map((column, i) => (
          <Box key={i} flexDirection="column" width={columnWidth} marginRight={i < columns.length - 1 ? COLUMN_GAP : 0}>
            {column.map((b) => (
              <Text key={b.command} wrap="truncate-end">
                <Text bold color="cyan">
                  {b.label.padEnd(8)}
                </Text>
                {b.description}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
      <Text> </Text>
      <Text dimColor>any key closes this</Text>
    </Box>
  );
});
