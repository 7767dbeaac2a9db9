/** A lab step's `show` lines: the container's view beside the host's (src/labs/observe.ts), from observations made up here. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { viewLines, type Observation } from '../src/labs/observe.js';
import type { NetworkState } from '../src/runtime/network.js';

const observation = (network: NetworkState | null): Observation => ({
  output: '', stats: null, network, exit: null, hostPid: 4242, hostHostname: 'h', exec: async () => null,
});

describe('show: network', () => {
  it('puts eth0 inside beside its veth end on the host, with the bytes it carried and the published ports', () => {
    const bridge: NetworkState = {
      mode: 'bridge',
      bridge: { address: '10.88.0.7', prefix: 24, gateway: '10.88.0.1', hostVeth: 'bdv3fa9c1d2e4b5', hostVethIndex: 57 },
      interfaces: [{ name: 'lo', rxBytes: 1, txBytes: 1 }, { name: 'eth0', rxBytes: 1846, txBytes: 796 }],
      ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    };
    assert.deepEqual(viewLines(['network'], observation(bridge), null), [
      'inside: eth0 10.88.0.7/24 via 10.88.0.1 (eth0 rx 1846 B, tx 796 B) — host: its veth\'s end bdv3fa9c1d2e4b5 (index 57) on bd0 · host 127.0.0.1:8080 → 80/tcp',
    ]);
  });

  it('says none has no link to the host, and what it is before the first reading', () => {
    const none: NetworkState = { mode: 'none', bridge: null, interfaces: [{ name: 'lo', rxBytes: 0, txBytes: 0 }], ports: [] };
    assert.deepEqual(viewLines(['network'], observation(none), null), ['inside: lo only (lo rx 0 B, tx 0 B) — host: no link to it']);
    assert.deepEqual(viewLines(['network'], observation(null), null), ['network: —']);
  });
});
