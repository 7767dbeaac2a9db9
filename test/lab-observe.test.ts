/** What a lab step looks at (src/labs/observe.ts): its `show` lines from observations made up here, and the host's
 * `connect` check against a server of this test's on the host's 127.0.0.1. */
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import { parseLab } from '../src/labs/lab.js';
import { unmet, viewLines, type Observation } from '../src/labs/observe.js';
import type { NetworkState } from '../src/runtime/network.js';

const observation = (network: NetworkState | null): Observation => ({
  output: '',
  stats: null,
  network,
  exit: null,
  hostPid: 4242,
  hostHostname: 'h',
  exec: async () => null,
});

describe('show: network', () => {
  it('puts eth0 inside beside its veth end on the host, with the bytes it carried and the published ports', () => {
    const bridge: NetworkState = {
      mode: 'bridge',
      bridge: { address: '10.88.0.7', prefix: 24, gateway: '10.88.0.1', hostVeth: 'bdv3fa9c1d2e4b5', hostVethIndex: 57 },
      interfaces: [
        { name: 'lo', rxBytes: 1, txBytes: 1 },
        { name: 'eth0', rxBytes: 1846, txBytes: 796 },
      ],
      ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    };
    assert.deepEqual(viewLines(['network'], observation(bridge), null), [
      "inside: eth0 10.88.0.7/24 via 10.88.0.1 (eth0 rx 1846 B, tx 796 B) — host: its veth's end bdv3fa9c1d2e4b5 (index 57) on bd0 · host 127.0.0.1:8080 → 80/tcp",
    ]);
  });

  it('says none has no link to the host, and what it is before the first reading', () => {
    const none: NetworkState = { mode: 'none', bridge: null, interfaces: [{ name: 'lo', rxBytes: 0, txBytes: 0 }], ports: [] };
    assert.deepEqual(viewLines(['network'], observation(none), null), ['inside: lo only (lo rx 0 B, tx 0 B) — host: no link to it']);
    assert.deepEqual(viewLines(['network'], observation(null), null), ['network: —']);
  });
});

describe('check: connect', () => {
  const check = (port: number) =>
    parseLab(`title: t\nsteps:\n  - title: s\n    text: x\n    check:\n      connect: {port: ${port}, output: '^hello$'}\n`, 'lab.yaml', 'lab')
      .steps[0]!.check;

  it('passes once the host reads the line from the port, and says what it waits for until then', async () => {
    let greeting = 'not yet';
    const server = net.createServer((socket) => socket.end(`${greeting}\n`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const wanted = `the host's connection to 127.0.0.1:${port} to read "hello"`;
      assert.equal(await unmet(check(port), observation(null)), wanted);
      greeting = 'hello';
      assert.equal(await unmet(check(port), observation(null)), null);
      server.close();
      assert.equal(await unmet(check(port), observation(null)), wanted, 'refused: not met');
    } finally {
      server.close();
    }
  });

  it('takes only a port', () => {
    assert.throws(() => check(70000), /^Error: lab\.yaml:6: steps\[0\]\.check\.connect\.port: must be a port, 1 to 65535$/);
  });
});
