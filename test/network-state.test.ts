/** The live network state of real containers (src/runtime/network.ts): what the panels and labs show. Packets go only
 * between a container and the gateway on bd0, which its run made. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { start } from '../src/runtime/container.js';
import { parseNetDev, readNetwork } from '../src/runtime/network.js';
import { assertNothingLeft, busyboxTree, hostMounts, networkLeases } from './helpers.js';

const mountsBefore = hostMounts();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-netstate-'));
const ROOTFS = busyboxTree(path.join(scratch, 'rootfs'), ['sh', 'ip', 'ping', 'sleep']);
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

describe('readNetwork', () => {
  it("reads a bridge container's leased address, gateway, eth0 counters as they move, and published ports", async () => {
    const c = await start({ rootfs: ROOTFS, network: 'bridge', publish: ['127.0.0.1:18089:80/tcp'], command: ['sleep', '30'] });
    try {
      const before = readNetwork(c);
      const [leased] = Object.entries(networkLeases())
        .filter(([, owner]) => owner === c.id)
        .map(([address]) => address);
      assert.equal(before.mode, 'bridge');
      const hostVethIndex = Number(fs.readFileSync(`/sys/class/net/bdv${c.id}/ifindex`, 'utf8'));
      assert.deepEqual(before.bridge, {
        address: leased,
        prefix: 24,
        gateway: leased!.replace(/\.\d+$/, '.1'),
        hostVeth: `bdv${c.id}`,
        hostVethIndex,
      });
      assert.deepEqual(before.ports, [{ hostIp: '127.0.0.1', hostPort: 18089, containerPort: 80, protocol: 'tcp' }]);
      // The same address as the container's own eth0 has.
      const inside = await c.exec(['sh', '-c', 'ip -o -4 addr show dev eth0; cat /sys/class/net/eth0/iflink']);
      assert.match(inside.stdout, new RegExp(`inet ${leased!.replace(/\./g, '\\.')}/24 `));
      // ...and the veth's other end is the one named: eth0's peer index is the host end's.
      assert.equal(Number(inside.stdout.trim().split('\n').at(-1)), hostVethIndex);
      assert.deepEqual(before.interfaces.map((i) => i.name).sort(), ['eth0', 'lo']);
      // Three pings of 56 bytes to the gateway: at least 3 frames of 98 bytes out, and their replies in.
      const ping = await c.exec(['ping', '-c', '3', '-i', '0.2', '-W', '2', before.bridge!.gateway]);
      assert.equal(ping.code, 0, ping.stdout + ping.stderr);
      const eth0 = (state: ReturnType<typeof readNetwork>) => state.interfaces.find((i) => i.name === 'eth0')!;
      const later = readNetwork(c);
      assert.ok(eth0(later).txBytes - eth0(before).txBytes >= 3 * 98, `tx ${eth0(before).txBytes} → ${eth0(later).txBytes}`);
      assert.ok(eth0(later).rxBytes - eth0(before).rxBytes >= 3 * 98, `rx ${eth0(before).rxBytes} → ${eth0(later).rxBytes}`);
    } finally {
      await c.stop(0);
    }
    assert.throws(() => readNetwork(c), /has exited/);
  });

  it('reads a container on --network none: lo alone, no address, no ports', async () => {
    const c = await start({ rootfs: ROOTFS, network: 'none', command: ['sleep', '30'] });
    try {
      const state = readNetwork(c);
      assert.deepEqual([state.mode, state.bridge, state.ports, state.interfaces.map((i) => i.name)], ['none', null, [], ['lo']]);
    } finally {
      await c.stop(0);
    }
  });
});

describe('parseNetDev', () => {
  it("takes each interface's received and sent bytes", () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:     140       2    0    0    0     0          0         0      140       2    0    0    0     0       0          0',
      '  eth0:    1846      19    0    0    0     0          0         0      796      10    0    0    0     0       0          0',
      '',
    ].join('\n');
    assert.deepEqual(parseNetDev(text), [
      { name: 'lo', rxBytes: 140, txBytes: 140 },
      { name: 'eth0', rxBytes: 1846, txBytes: 796 },
    ]);
  });
});
