import { memo } from 'react';
import { Box, Text } from 'ink';
import { panelInnerWidth, truncate } from '../format.js';

export const HOSTNAME_PANEL_HEIGHT = 5;

export interface HostnamePanelProps {
  /** Read live from the container's UTS namespace; null before the first poll. */
  hostname: string | null;
  /** The host's own hostname. */
  hostHostname: string;
  width: number;
}

/** Both hostnames one above the other, so the UTS namespace's isolation is visible at a glance. */
export const HostnamePanel = memo(function HostnamePanel({ hostname, hostHostname, width }: HostnamePanelProps) {
  // "inside: " and "host:   " are 8 characters wide.
  const nameWidth = panelInnerWidth(width) - 8;
  return (
    <Box borderStyle="round" flexDirection="column" width={width} height={HOSTNAME_PANEL_HEIGHT} paddingX={1} flexShrink={0}>
      <Text bold>Hostname</Text>
      <Text wrap="truncate-end">
        {'inside: '}
        <Text color="cyan">{truncate(hostname ?? '—', nameWidth)}</Text>
      </Text>
      <Text wrap="truncate-end">
        {'host:   '}
        {truncate(hostHostname, nameWidth)}
      </Text>
    </Box>
  );
});
