/** --network bridge on real containers: bd0, a veth pair and a leased address each, and nothing left however a run
 * ends. Every packet stays between namespaces this test made (the containers' and the bridge's subnet on the host). */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { after, describe, it } from 'node:test';
import { start, type Container } from '../src/runtime/container.js';
import { addon } from '../src/runtime/native.js';
import { createRootfs } from '../src/runtime/rootfs.js';
import { iperf3Client, iperf3Received, startIperf3Server, type Iperf3Server } from './iperf3.js';
import {
  assertNothingLeft,
  bridgePorts,
  bridgeVeths,
  busyboxTree,
  CLI_PATH,
  hostMounts,
  iptablesRules,
  networkLeases,
  NETWORK_DIR,
} from './helpers.js';

const mountsBefore = hostMounts();
const forwardingBefore = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-bridge-'));
const ROOTFS = busyboxTree(path.join(scratch, 'rootfs'), ['sh', 'ip', 'ping', 'nc', 'cat', 'sleep', 'echo']);
fs.mkdirSync(path.join(ROOTFS, 'etc')); // where the network's files go
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

async function eventually(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The address leased to container `id`, from the lease store. */
function addressOf(id: string): string {
  const found = Object.entries(networkLeases()).filter(([, owner]) => owner === id);
  assert.equal(found.length, 1, `one lease for ${id}: ${JSON.stringify(networkLeases())}`);
  return found[0]![0];
}

function natTableThere(): boolean {
  return spawnSync('nft', ['list', 'table', 'ip', 'baby-docker'], { stdio: 'ignore' }).status === 0;
}

/** Once the runs have ended: no lease, no NAT rule, nothing on bd0 (which stays, as docker0 does), and soon no veth:
 * the kernel removes each with its container's namespace. */
async function assertBridgeIdle(): Promise<void> {
  assert.deepEqual([networkLeases(), natTableThere()], [{}, false]);
  assert.equal(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), forwardingBefore, 'ip_forward put back');
  // The veths (and so bd0's ports) go a moment after their namespaces.
  await eventually(
    () => bridgeVeths().length === 0 && bridgePorts().length === 0,
    5000,
    `the veths to go with their namespaces: ${bridgeVeths().join(' ')}`,
  );
}

/** baby-docker gc, which removes the bridge when no run uses it. */
function gc(): void {
  const result = spawnSync(process.execPath, [CLI_PATH, 'gc'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
}

function onBridge(command: string[], publish?: string[]): Promise<Container> {
  return start({ rootfs: ROOTFS, network: 'bridge', command, publish });
}

/** The first line a TCP server at host:port sends, retried while nothing listens yet; null once timeoutMs has passed. */
async function firstLine(host: string, port: number, timeoutMs = 5000): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = await new Promise<string | null>((resolve) => {
      let data = '';
      const socket = net.connect({ host, port, timeout: 1000 });
      socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
      socket.on('end', () => resolve(data.split('\n')[0] || null));
      socket.on('error', () => resolve(null));
      socket.on('timeout', () => {
        socket.destroy();
        resolve(null);
      });
    });
    if (line !== null) return line;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

/** The CLI in a mount namespace of its own where `programs` (host paths) are hidden: /dev/null, not executable, over
 * each; with the host config file `config`. */
function cliWithout(programs: string[], args: string[], config: string): ReturnType<typeof spawn> {
  const hide = programs.map((p) => `mount --bind /dev/null ${p} && `).join('');
  return spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${hide}exec "$@"`, 'sh', process.execPath, CLI_PATH, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BABY_DOCKER_CONFIG: config },
  });
}

async function ended(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

describe('--network bridge', () => {
  it('gives the container eth0 with its leased address, up, and a default route via the gateway .1 on bd0', async () => {
    const c = await onBridge(['sleep', '30']);
    try {
      const address = addressOf(c.id);
      const inside = await c.exec(['sh', '-c', 'ip -o -4 addr show dev eth0; ip route; cat /sys/class/net/eth0/flags']);
      assert.equal(inside.code, 0, inside.stderr);
      const gateway = address.replace(/\.\d+$/, '.1');
      assert.match(inside.stdout, new RegExp(`inet ${address.replace(/\./g, '\\.')}/24 `));
      assert.match(inside.stdout, new RegExp(`^default via ${gateway.replace(/\./g, '\\.')} dev eth0`, 'm'));
      assert.equal(Number(inside.stdout.trim().split('\n').at(-1)) & 1, 1, 'eth0 is up');
      // The host's side: bdv<id> on bd0, which holds the gateway.
      assert.ok(bridgeVeths().includes(`bdv${c.id}`), bridgeVeths().join(' '));
      assert.equal(path.basename(fs.readlinkSync(`/sys/class/net/bdv${c.id}/master`)), 'bd0');
      const bridge = spawnSync('ip', ['-o', '-4', 'addr', 'show', 'dev', 'bd0'], { encoding: 'utf8' });
      assert.match(bridge.stdout, new RegExp(`inet ${gateway.replace(/\./g, '\\.')}/24 `));
      // The gateway answers: the container reaches the host over the veth.
      const ping = await c.exec(['ping', '-c', '1', '-W', '2', gateway]);
      assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    } finally {
      await c.stop(0);
    }
    await assertBridgeIdle();
  });

  it("lets two containers ping each other and reach each other's TCP server", async () => {
    const server = await onBridge(['nc', '-ll', '-p', '7000', '-e', 'echo', 'served-by-server']);
    const client = await onBridge(['sleep', '30']);
    try {
      const serverAddress = addressOf(server.id);
      const clientAddress = addressOf(client.id);
      assert.notEqual(serverAddress, clientAddress);
      const ping = await client.exec(['ping', '-c', '1', '-W', '2', serverAddress]);
      assert.equal(ping.code, 0, ping.stdout + ping.stderr);
      const back = await server.exec(['ping', '-c', '1', '-W', '2', clientAddress]);
      assert.equal(back.code, 0, back.stdout + back.stderr);
      // The server may not listen yet: try for a few seconds.
      const tcp = await client.exec([
        'sh',
        '-c',
        `for i in $(seq 50); do nc -w 2 ${serverAddress} 7000 </dev/null && exit 0; sleep 0.1; done; exit 1`,
      ]);
      assert.equal(tcp.code, 0, tcp.stderr);
      assert.equal(tcp.stdout.trim(), 'served-by-server');
    } finally {
      await Promise.all([server.stop(0), client.stop(0)]);
    }
  });

  it('gives 20 containers started in parallel 20 distinct addresses, and takes all back', async () => {
    const containers = await Promise.all(Array.from({ length: 20 }, () => onBridge(['sleep', '30'])));
    try {
      const leases = networkLeases();
      assert.deepEqual(Object.values(leases).sort(), containers.map((c) => c.id).sort());
      assert.equal(new Set(Object.keys(leases)).size, 20);
      for (const c of containers) assert.ok(bridgeVeths().includes(`bdv${c.id}`), `bdv${c.id}`);
      const seen = await Promise.all(containers.map((c) => c.exec(['sh', '-c', 'ip -o -4 addr show dev eth0'])));
      for (const [i, c] of containers.entries()) assert.match(seen[i]!.stdout, new RegExp(`inet ${addressOf(c.id).replace(/\./g, '\\.')}/24 `));
    } finally {
      await Promise.all(containers.map((c) => c.stop(0)));
    }
    await assertBridgeIdle();
  });

  it('leaves nothing when the CLI is SIGKILLed: its shim cleans up', async () => {
    const cli = spawn(process.execPath, [CLI_PATH, 'run', '--network', 'bridge', ROOTFS, 'sleep', '60'], { stdio: 'ignore' });
    await eventually(() => bridgeVeths().length === 1 && Object.keys(networkLeases()).length === 1, 10_000, 'the run on the bridge');
    cli.kill('SIGKILL');
    await eventually(
      () => bridgeVeths().length === 0 && Object.keys(networkLeases()).length === 0 && !natTableThere(),
      10_000,
      'the shim to clean up',
    );
  });

  it('leaves nothing once gc has run when the shim is SIGKILLed: no lease, veth, bridge, nor its published port, which the next run may take', async () => {
    const cli = spawn(process.execPath, [CLI_PATH, 'run', '--network', 'bridge', '-p', '18087:7000', ROOTFS, 'sleep', '60'], { stdio: 'ignore' });
    await eventually(() => Object.keys(networkLeases()).length === 1 && bridgeVeths().length === 1, 10_000, 'the run on the bridge');
    const [id] = Object.values(networkLeases());
    const hostPid = Number(fs.readFileSync(`${addon().stateRoot}/${id}/pid`, 'utf8'));
    const shimPid = Number(fs.readFileSync(`/proc/${hostPid}/stat`, 'utf8').split(' ')[3]);
    // The CLI is stopped first: alive, it would see its shim die and nothing more; dead first, its shim would clean up.
    cli.kill('SIGSTOP');
    process.kill(shimPid, 'SIGKILL');
    cli.kill('SIGKILL');
    await eventually(() => !fs.existsSync(`/proc/${hostPid}`), 5000, 'the container to die with its shim');
    assert.equal(Object.keys(networkLeases()).length, 1, 'the killed shim left its lease');
    assert.match(spawnSync('nft', ['list', 'table', 'ip', 'baby-docker'], { encoding: 'utf8' }).stdout, /tcp \. 18087 :/);
    // Before any gc, the dead run's lease publishes nothing: a new run may take its host port (its shim collects it meanwhile).
    const next = await onBridge(['nc', '-ll', '-p', '7000', '-e', 'echo', 'the-next-run'], ['18087:7000']);
    try {
      assert.equal(await firstLine('127.0.0.1', 18087), 'the-next-run');
    } finally {
      await next.stop(0);
    }
    gc();
    await assertBridgeIdle();
    assert.deepEqual([fs.existsSync('/sys/class/net/bd0'), fs.existsSync(NETWORK_DIR)], [false, false], 'gc removes the unused bridge');
  });

  it("moves an iperf3 client's data from a container to an iperf3 server on the host's gateway address", async () => {
    const rootfs = path.join(scratch, 'iperf3-rootfs');
    createRootfs(rootfs, ['iperf3']); // Debian's iperf3, installed by .ci/run
    const c = await start({ rootfs, network: 'bridge', command: ['sleep', '30'] });
    let server: Iperf3Server | undefined;
    try {
      server = await startIperf3Server(addressOf(c.id).replace(/\.\d+$/, '.1'));
      const client = await c.exec(iperf3Client(server, 1));
      assert.equal(client.code, 0, client.stdout + client.stderr);
      assert.ok(iperf3Received(client.stdout).bytes > 0, client.stdout);
    } finally {
      await server?.stop();
      await c.stop(0);
    }
  });

  it("masquerades a container's connection out of the host: the test's upstream namespace sees the host's address", async () => {
    // The "upstream": a namespace of the test's own, reached from the host over a veth, with a
    // TCP server that answers with the address the connection came from. Addresses: TEST-NET-2.
    // Held by a process of its own (`ip netns add` would leave a bind mount on /run/netns behind): the namespace
    // goes when that process does, and the veth's peer with it.
    const sh = (command: string): void => {
      const r = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${command}: ${r.stderr}`);
    };
    const holder = spawn('unshare', ['--net', 'sleep', '120'], { stdio: 'ignore' });
    const inside = `nsenter -t ${holder.pid} -n`;
    let server: ReturnType<typeof spawn> | undefined;
    try {
      // Until unshare has made it, the holder's namespace is the host's: nothing may be moved there before.
      const ours = fs.readlinkSync('/proc/self/ns/net');
      while (fs.readlinkSync(`/proc/${holder.pid}/ns/net`) === ours) await new Promise((resolve) => setTimeout(resolve, 5));
      sh(`ip link add bdup0 type veth peer name eth0 netns ${holder.pid} && ip addr add 198.51.100.1/24 dev bdup0 && ip link set bdup0 up`);
      sh(`${inside} ip addr add 198.51.100.2/24 dev eth0 && ${inside} ip link set eth0 up && ${inside} ip link set lo up`);
      const script =
        "require('net').createServer((s) => s.end(s.remoteAddress + '\\n')).listen(7001, '198.51.100.2', () => console.log('listening'))";
      server = spawn('nsenter', ['-t', String(holder.pid), '-n', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve) => server!.stdout!.once('data', resolve));
      const c = await onBridge(['sleep', '30']);
      try {
        const seen = await c.exec(['nc', '-w', '2', '198.51.100.2', '7001']);
        assert.equal(seen.code, 0, seen.stderr);
        assert.equal(seen.stdout.trim(), '198.51.100.1', `masqueraded, not ${addressOf(c.id)}`);
        const table = spawnSync('nft', ['list', 'table', 'ip', 'baby-docker'], { encoding: 'utf8' });
        assert.match(table.stdout, /masquerade/);
        assert.equal(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), '1');
      } finally {
        await c.stop(0);
      }
      // Gone with the bridge: our table, and forwarding back as it was.
      assert.notEqual(spawnSync('nft', ['list', 'table', 'ip', 'baby-docker']).status, 0, 'the nft table is gone');
      assert.equal(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), forwardingBefore);
    } finally {
      for (const child of [server, holder]) {
        if (!child || child.exitCode !== null) continue;
        const closed = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGKILL');
        await closed;
      }
      spawnSync('ip', ['link', 'del', 'bdup0']);
    }
  });

  it('picks another subnet when a route of the host overlaps 10.88.0.0/24', async () => {
    gc(); // the subnet is chosen as the bridge is made
    // A veth pair of the test's own, its route 10.88.0.0/24 on the host: nothing is sent through it.
    const ip = (...args: string[]): void => {
      const r = spawnSync('ip', args, { encoding: 'utf8' });
      assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
    };
    ip('link', 'add', 'bdtest0', 'type', 'veth', 'peer', 'name', 'bdtest1');
    try {
      ip('addr', 'add', '10.88.0.1/24', 'dev', 'bdtest0');
      ip('link', 'set', 'bdtest0', 'up');
      ip('link', 'set', 'bdtest1', 'up');
      const c = await onBridge(['sleep', '30']);
      try {
        assert.match(addressOf(c.id), /^10\.89\.0\.\d+$/);
      } finally {
        await c.stop(0);
      }
    } finally {
      ip('link', 'del', 'bdtest0'); // its peer goes with it
      gc(); // the next runs' bridge takes 10.88.0.0/24 again
    }
  });

  it("publishes a port (-p): the container's server answers on the host's 127.0.0.1 and bridge address, and the forward goes with it", async () => {
    const c = await onBridge(['nc', '-ll', '-p', '7000', '-e', 'echo', 'published'], ['18080:7000']);
    try {
      const gateway = addressOf(c.id).replace(/\.\d+$/, '.1');
      assert.equal(await firstLine('127.0.0.1', 18080), 'published');
      assert.equal(await firstLine(gateway, 18080), 'published');
      // Another container reaches it through the host's address too (hairpin).
      const peer = await onBridge(['sleep', '30']);
      try {
        const seen = await peer.exec(['nc', '-w', '2', gateway, '18080']);
        assert.equal(seen.stdout.trim(), 'published', seen.stderr);
      } finally {
        await peer.stop(0);
      }
    } finally {
      await c.stop(0);
    }
    assert.equal(await firstLine('127.0.0.1', 18080, 300), null, 'nothing forwarded once the container has gone');
  });

  it("publishes a UDP port (-p HOST:PORT/udp): a datagram to the host's 127.0.0.1 reaches the container, masqueraded as the gateway, and its answer comes back", async () => {
    const rootfs = path.join(scratch, 'probe-rootfs');
    createRootfs(rootfs); // with this build's bd-probe
    const c = await start({ rootfs, network: 'bridge', publish: ['18090:7001/udp'], command: ['bd-probe', 'udp-echo=7001'] });
    let output = '';
    c.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const socket = dgram.createSocket('udp4');
    try {
      const gateway = addressOf(c.id).replace(/\.\d+$/, '.1');
      const answer = new Promise<string | null>((resolve) => {
        socket.once('message', (message) => resolve(message.toString()));
        setTimeout(() => resolve(null), 5000);
      });
      // Sent again until the probe has bound its port: one datagram is all it answers.
      const resend = setInterval(() => socket.send('over udp', 18090, '127.0.0.1'), 100);
      try {
        assert.equal(await answer, 'over udp');
      } finally {
        clearInterval(resend);
      }
      assert.equal((await c.wait()).code, 0);
      await eventually(() => output.endsWith('\n'), 5000, "the probe's line");
      assert.equal(output, `udp-echo=7001: 8 bytes from ${gateway}\n`);
    } finally {
      socket.close();
      await c.stop(0);
    }
  });

  it('publishes on one host address only when -p names it', async () => {
    const c = await onBridge(['nc', '-ll', '-p', '7000', '-e', 'echo', 'local-only'], ['127.0.0.1:18083:7000']);
    try {
      const gateway = addressOf(c.id).replace(/\.\d+$/, '.1');
      assert.equal(await firstLine('127.0.0.1', 18083), 'local-only');
      assert.equal(await firstLine(gateway, 18083, 300), null, 'not on the bridge address');
    } finally {
      await c.stop(0);
    }
  });

  it('refuses a host port that another container publishes or a program of the host listens on, with one line each', async () => {
    const c = await onBridge(['sleep', '30'], ['18081:7000']);
    try {
      await assert.rejects(onBridge(['true'], ['18081:80']), {
        message: 'host port 18081/tcp is published by another container already: choose another host port',
      });
    } finally {
      await c.stop(0);
    }
    const server = net.createServer().listen(18082, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await assert.rejects(onBridge(['true'], ['18082:80']), {
        message: "host port 18082/tcp is in use by a program of the host's: choose another host port",
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await assertBridgeIdle();
  });

  it("writes the container's /etc/hosts (its address and hostname), /etc/hostname and a resolv.conf of the host's upstream servers", async () => {
    // The host's resolv.conf as a resolved stub host has it, in a mount namespace of the test's: the loopback stub
    // and the IPv6 server cannot be reached from the bridge; the rest is kept.
    const fake = path.join(scratch, 'resolv.conf');
    fs.writeFileSync(fake, 'nameserver 127.0.0.53\nnameserver 192.0.2.1\nnameserver 2001:db8::1\nsearch example.test\noptions edns0\n');
    const cli = spawn(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount --bind ${fake} /etc/resolv.conf && exec "$@"`,
        'sh',
        process.execPath,
        CLI_PATH,
        'run',
        '--network',
        'bridge',
        '--hostname',
        'web1',
        ROOTFS,
        'sh',
        '-c',
        'cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---; cat /etc/hostname; ip -o -4 addr show dev eth0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const { code, stdout, stderr } = await ended(cli);
    assert.equal(code, 0, stderr);
    const [resolv, hosts, hostname] = stdout.split('---\n');
    assert.equal(resolv, 'nameserver 192.0.2.1\nsearch example.test\noptions edns0\n');
    const address = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(hostname!)![1];
    assert.equal(hosts, `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${address}\tweb1\n`);
    assert.match(hostname!, /^web1\n/);
    // The rootfs directory is as it was: the files were made in the run's own layer.
    assert.deepEqual(fs.readdirSync(path.join(ROOTFS, 'etc')), []);
  });

  it('binds the network files through no symlink out of the rootfs: a link to a host path resolves inside', async () => {
    const rootfs = busyboxTree(path.join(scratch, 'linked'), ['sh', 'cat']);
    fs.mkdirSync(path.join(rootfs, 'etc'));
    const victim = path.join(scratch, 'victim');
    fs.writeFileSync(victim, 'untouched\n');
    fs.symlinkSync(victim, path.join(rootfs, 'etc', 'hosts')); // absolute: on the host it names the victim
    fs.symlinkSync('/nowhere', path.join(rootfs, 'etc', 'hostname')); // a link to nothing: left alone
    const c = await start({
      rootfs,
      network: 'bridge',
      hostname: 'web2',
      rootfsRw: true,
      command: ['sh', '-c', 'cat /etc/hosts; cat /etc/hostname 2>&1; true'],
    });
    const status = await c.wait();
    assert.equal(status.code, 0);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'untouched\n');
    assert.equal(fs.readlinkSync(path.join(rootfs, 'etc', 'hostname')), '/nowhere');
  });

  it('falls back to none where the host cannot make its NAT (here: iptables asked for and hidden), saying why, and leaves no bridge it made; --network bridge fails instead', async () => {
    gc(); // no bridge yet: the failing run makes it, and must take it away again
    const config = path.join(scratch, 'iptables.json');
    fs.writeFileSync(config, '{"bridge": {"firewall": "iptables"}}');
    const hidden = ['/usr/sbin/iptables-restore', '/usr/sbin/iptables'];
    const why =
      "no NAT for the bridge: the host's config asks for iptables (bridge.firewall), which is not installed: install it, or choose nftables";
    const byDefault = await ended(cliWithout(hidden, ['run', ROOTFS, 'ip', '-o', 'link'], config));
    assert.equal(byDefault.code, 0, byDefault.stderr);
    assert.equal(byDefault.stdout.trim().split('\n').length, 1, `only lo: ${byDefault.stdout}`);
    assert.equal(
      byDefault.stderr,
      `baby-docker: no bridge network on this host, so the container has only lo (--network none asks for that and silences this): ${why}\r\n`,
    );
    const asked = await ended(cliWithout(hidden, ['run', '--network', 'bridge', ROOTFS, 'true'], config));
    assert.equal(asked.code, 125);
    assert.equal(asked.stderr, `baby-docker: ${why}\n`);
    await assertBridgeIdle();
    assert.deepEqual([fs.existsSync('/sys/class/net/bd0'), fs.existsSync(NETWORK_DIR)], [false, false], 'the bridge the failed runs made is gone');
  });

  it('puts NAT and published ports in iptables chains of its own where the config asks (bridge.firewall), removed with the last run', async () => {
    // iptables-nft makes the nat and raw tables our chains hang on, and leaves them (empty of ours): the test takes
    // away those it made, once they hold no rule.
    const tablesBefore = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout;
    after(() => {
      for (const table of ['nat', 'raw']) {
        const rules = spawnSync('iptables-save', ['-t', table], { encoding: 'utf8' }).stdout ?? '';
        if (!tablesBefore.includes(`table ip ${table}\n`) && !/^-A /m.test(rules)) spawnSync('nft', ['delete', 'table', 'ip', table]);
      }
    });
    const config = path.join(scratch, 'iptables.json');
    fs.writeFileSync(config, '{"bridge": {"firewall": "iptables"}}');
    const cli = cliWithout([], ['run', '-p', '18084:7000', ROOTFS, 'nc', '-ll', '-p', '7000', '-e', 'echo', 'via-iptables'], config);
    const done = ended(cli);
    await eventually(() => Object.keys(networkLeases()).length === 1 && bridgeVeths().length === 1, 10_000, 'the run on the bridge');
    try {
      assert.equal(await firstLine('127.0.0.1', 18084), 'via-iptables');
      assert.equal(natTableThere(), false, 'no nftables table beside the chains');
      const rules = iptablesRules();
      assert.match(rules, /-A BABY-DOCKER-DNAT -p tcp -m tcp --dport 18084 -j DNAT --to-destination 10\.\d+\.\d+\.\d+:7000/);
      assert.match(rules, /-A BABY-DOCKER-SNAT -s 10\.\d+\.\d+\.0\/24 ! -o bd0 -j MASQUERADE/);
      assert.match(rules, /-A BABY-DOCKER-GUARD -d 127\.0\.0\.0\/8 -i bd0 -j DROP/);
    } finally {
      cli.kill('SIGKILL'); // its shim ends the container and cleans up (nc, as PID 1, would shrug off a SIGTERM)
      await done;
      await eventually(() => bridgeVeths().length === 0 && Object.keys(networkLeases()).length === 0, 10_000, 'the shim to clean up');
    }
    assert.doesNotMatch(iptablesRules(), /BABY-DOCKER/);
    assert.equal(fs.existsSync(path.join(NETWORK_DIR, 'iptables')), false, 'the firewall choice goes with the rules');
  });

  it("drops what a container sends through its gateway to the host's 127.0.0.1 (route_localnet is on for -p)", async () => {
    // A UDP listener of the test's on the host's loopback; the container, with every capability, routes 127.0.0.1 out
    // of eth0 to the gateway as an attacker would (without the guard, the datagrams arrive).
    const listener = dgram.createSocket('udp4');
    const received: string[] = [];
    listener.on('message', (message) => received.push(message.toString()));
    await new Promise<void>((resolve) => listener.bind(18086, '127.0.0.1', resolve));
    // The default rootfs: its bash sends UDP (/dev/udp), which busybox's nc here cannot.
    const c = await start({ rootfs: 'default', network: 'bridge', security: 'none', command: ['sleep', '30'] });
    try {
      const gateway = addressOf(c.id).replace(/\.\d+$/, '.1');
      const sent = await c.exec([
        'sh',
        '-c',
        [
          'echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet',
          'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet',
          'ip route del local 127.0.0.0/8 dev lo table local',
          'ip route del local 127.0.0.1 dev lo table local',
          `ip route add 127.0.0.1/32 via ${gateway} dev eth0 src ${addressOf(c.id)}`,
          'for i in 1 2 3; do bash -c "echo escaped > /dev/udp/127.0.0.1/18086"; done',
        ].join(' && '),
      ]);
      assert.equal(sent.code, 0, sent.stderr);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(received, []);
    } finally {
      await c.stop(0);
      listener.close();
    }
  });

  it("takes the bridge's subnet from the host's config file (bridge.subnet), making an unused bridge of another one again, and refuses a bad one with one line", () => {
    const config = path.join(scratch, 'config.json');
    const run = (text: string) => {
      fs.writeFileSync(config, text);
      return spawnSync(process.execPath, [CLI_PATH, 'run', ROOTFS, 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'], {
        encoding: 'utf8',
        env: { ...process.env, BABY_DOCKER_CONFIG: config },
      });
    };
    try {
      const good = run('{"bridge": {"subnet": "10.123.45.16/28"}}');
      assert.equal(good.status, 0, good.stderr);
      assert.match(good.stdout, /inet 10\.123\.45\.18\/28 /);
      const other = run('{"bridge": {"subnet": "10.123.46.0/24"}}');
      assert.equal(other.status, 0, other.stderr);
      assert.match(other.stdout, /inet 10\.123\.46\.2\/24 /);
      const bad = run('{"bridge": {"subnet": "10.123.45.17/28"}}');
      assert.deepEqual(
        [bad.status, bad.stderr],
        [
          125,
          `baby-docker: ${config}: bridge.subnet "10.123.45.17/28" is no subnet: give a network address and a prefix of 16 to 29, e.g. "10.123.0.0/24"\n`,
        ],
      );
      const firewall = run('{"bridge": {"firewall": "ufw"}}');
      assert.deepEqual(
        [firewall.status, firewall.stderr],
        [125, `baby-docker: ${config}: bridge.firewall "ufw" is no firewall: give "nftables" or "iptables"\n`],
      );
    } finally {
      gc(); // the next runs choose their subnet again
    }
  });

  it('keeps bd0 between runs, as docker0 stays, but not its NAT; gc removes it once no run uses it', async () => {
    const bridgeIndex = (): string => fs.readFileSync('/sys/class/net/bd0/ifindex', 'utf8').trim();
    assert.equal((await (await onBridge(['echo'])).wait()).code, 0);
    const index = bridgeIndex();
    await assertBridgeIdle();
    assert.equal((await (await onBridge(['echo'])).wait()).code, 0);
    assert.equal(bridgeIndex(), index, 'the same bd0, not made again');
    await assertBridgeIdle();
    const c = await onBridge(['sleep', '30']);
    try {
      gc();
      assert.equal(bridgeIndex(), index, 'gc keeps a bridge a run uses');
    } finally {
      await c.stop(0);
    }
    await assertBridgeIdle();
    gc();
    assert.deepEqual([fs.existsSync('/sys/class/net/bd0'), fs.existsSync(NETWORK_DIR)], [false, false]);
  });
});
