import { memo } from 'react';
import { Box, Text } from 'ink';
import { publishedPortText, trafficOf, type NetworkState } from '../../runtime/network.js';
import type { PublishedPort } from '../../runtime/spec.js';
import { formatBytes } from '../format.js';
import type { TextRun } from '../services/screen.js';
import { LiveText } from './LiveText.js';

export const NETWORK_PANEL_HEIGHT = 6;

export interface NetworkPanelProps {
  /** The last poll's; null before the first one. */
  network: NetworkState | null;
  /** The network as it is now, for the line of its counters (see LiveText): `network` by default. */
  live?: () => NetworkState | null;
  /** The time this render shows (ms since the epoch). */
  now?: number;
  /** The run has ended: its address is given back, its counters are its last. */
  ended: boolean;
  width: number;
}

/** The container's own address, or what stands in for one. */
export function addressText(network: NetworkState): string {
  if (network.mode === 'none') return 'only lo: no way out';
  if (network.mode === 'host') return "the host's own interfaces";
  return network.bridge ? `${network.bridge.address}/${network.bridge.prefix} gw ${network.bridge.gateway}` : 'no address leased';
}

/** The status bar's short form: "net bridge 10.88.0.7 rx 1.8 KiB tx 796 B". */
export function networkStatusText(network: NetworkState): string {
  const { rxBytes, txBytes } = trafficOf(network);
  const address = network.bridge ? ` ${network.bridge.address}` : '';
  return `net ${network.mode}${address} rx ${formatBytes(rxBytes)} tx ${formatBytes(txBytes)}`;
}

/** The first published port, and how many more: one line. */
export function portsText(ports: readonly PublishedPort[]): string {
  if (ports.length === 0) return 'no published ports';
  return `${publishedPortText(ports[0])}${ports.length > 1 ? ` (+${ports.length - 1})` : ''}`;
}

/** The network the container sees: its mode, its address and gateway, the bytes it received and sent, its published ports. */
export const NetworkPanel = memo(function NetworkPanel({ network, live, ended, now = 0, width }: NetworkPanelProps) {
  const trafficLine = (): TextRun[] => {
    const traffic = trafficOf(live?.() ?? network!);
    return [{ text: `${traffic.on} rx ${formatBytes(traffic.rxBytes)} · tx ${formatBytes(traffic.txBytes)}`, ...(ended ? { dim: true } : {}) }];
  };
  return (
    <Box borderStyle="round" flexDirection="column" width={width} height={NETWORK_PANEL_HEIGHT} paddingX={1} flexShrink={0}>
      <Text bold wrap="truncate-end">
        Network{network && <Text color="cyan"> {network.mode}</Text>}
      </Text>
      {network === null ? (
        <Text dimColor>—</Text>
      ) : (
        <>
          <Text wrap="truncate-end" dimColor={ended}>
            {ended && network.mode === 'bridge' ? 'ended: address given back' : addressText(network)}
          </Text>
          <LiveText line={trafficLine} now={now} />
          <Text wrap="truncate-end" dimColor={network.ports.length === 0}>
            {portsText(network.ports)}
          </Text>
        </>
      )}
    </Box>
  );
});
