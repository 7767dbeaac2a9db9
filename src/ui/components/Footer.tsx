import { Box, Text } from 'ink';
import { memo } from 'react';
import type { FooterPart } from '../footer.js';

/** The keys that work now, or the question being asked (see footer.ts). */
export const Footer = memo(function Footer({ parts, width }: { parts: FooterPart[]; width: number }) {
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate">
        {parts.map((part, i) => (
          <Text
            key={i}
            bold={part.style === 'key' || part.style === 'prompt'}
            color={part.style === 'key' ? 'cyan' : part.style === 'prompt' ? 'yellow' : undefined}
            dimColor={part.style === 'dim'}
            inverse={part.style === 'cursor'}
          >
            {part.text}
          </Text>
        ))}
      </Text>
    </Box>
  );
});
