import { Box, Text } from 'ink';
import { memo } from 'react';

/** A one-line question or text field above the footer. */
export const PromptLine = memo(function PromptLine({ label, value, width }: { label: string; value?: string; width: number }) {
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate">
        <Text bold color="yellow">{label}</Text>
        {value !== undefined && (
          <>
            <Text> {value}</Text>
            <Text inverse> </Text>
          </>
        )}
      </Text>
    </Box>
  );
});
