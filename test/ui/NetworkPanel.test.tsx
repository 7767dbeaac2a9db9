import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkPanel, NETWORK_PANEL_HEIGHT } from '../../src/ui/components/NetworkPanel.js';
import type { NetworkState } from '../../src/runtime/network.js';
import { BRIDGE_NETWORK, frameOf } from './fixtures.js';

test('a bridge container: its mode, address and gateway, eth0 bytes in human units, its published port', () => {
  const frame = frameOf(<NetworkPanel network={BRIDGE_NETWORK} ended={false} width={34} />);
  assert.equal(frame.split('\n').length, NETWORK_PANEL_HEIGHT);
  assert.match(frame, /Network bridge/);
  assert.match(frame, /10\.88\.0\.7\/24 gw 10\.88\.0\.1/);
  assert.match(frame, /eth0 rx 1\.8 KiB · tx 796 B/);
  assert.match(frame, /127\.0\.0\.1:8080 → 80\/tcp/);
});

test('ports published on every address show as 0.0.0.0, and the ones past the first as a count', () => {
  const ports: NetworkState['ports'] = [
    { hostIp: null, hostPort: 5353, containerPort: 53, protocol: 'udp' },
    { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
  ];
  assert.match(frameOf(<NetworkPanel network={{ ...BRIDGE_NETWORK, ports }} ended={false} width={34} />), /0\.0\.0\.0:5353 → 53\/udp \(\+1\)/);
});

test('--network none: only lo, its own bytes; no ports', () => {
  const none: NetworkState = { mode: 'none', bridge: null, interfaces: [{ name: 'lo', rxBytes: 2048, txBytes: 2048 }], ports: [] };
  const frame = frameOf(<NetworkPanel network={none} ended={false} width={34} />);
  assert.match(frame, /Network none/);
  assert.match(frame, /only lo: no way out/);
  assert.match(frame, /lo rx 2\.0 KiB · tx 2\.0 KiB/);
  assert.match(frame, /no published ports/);
});

test("--network host: the host's interfaces but lo, added up", () => {
  const host: NetworkState = {
    mode: 'host',
    bridge: null,
    interfaces: [
      { name: 'lo', rxBytes: 999_999, txBytes: 999_999 },
      { name: 'ens3', rxBytes: 1024, txBytes: 0 },
      { name: 'wlan0', rxBytes: 1024, txBytes: 512 },
    ],
    ports: [],
  };
  const frame = frameOf(<NetworkPanel network={host} ended={false} width={34} />);
  assert.match(frame, /the host's own interfaces/);
  assert.match(frame, /host rx 2\.0 KiB · tx 512 B/);
});

test('before the first poll, and once the run has ended', () => {
  assert.match(frameOf(<NetworkPanel network={null} ended={false} width={34} />), /Network\s+│\n│ —/);
  const ended = frameOf(<NetworkPanel network={BRIDGE_NETWORK} ended width={34} />);
  assert.match(ended, /ended: address given back/);
  assert.doesNotMatch(ended, /10\.88\.0\.7/);
});
