/**
 * The network of a running container as it is now, for the panels and the
 * labs: its mode and bridge address (as its shim reported them at start),
 * its interfaces' byte counters and its published ports. Read only.
 */
import * as fs from 'node:fs';
import { RuntimeError } from './errors.js';
import type { ContainerNetwork } from './protocol.js';
import type { Network, PublishedPort, ResolvedSpec } from './spec.js';

/** A bridge container's eth0, as leased. */
export interface BridgeAddress {
  /** "10.88.0.7" */
  address: string;
  /** The subnet's prefix length: 24. */
  prefix: number;
  /** The bridge's own address on the host, the container's default route: "10.88.0.1". */
  gateway: string;
}

/** An interface of the container's network namespace and what it has carried since it was made. */
export interface InterfaceTraffic {
  name: string;
  rxBytes: number;
  txBytes: number;
}

/** A bridge container's link to the host: its address, and the host's end of its veth pair. */
export interface BridgeLink extends BridgeAddress {
  /** The host's end, on the bridge bd0: "bdv<id>" (native/network.h). */
  hostVeth: string;
  /** Its interface index on the host: what the container's eth0 names as its peer (ip link: eth0@if<index>); null once gone. */
  hostVethIndex: number | null;
}

export interface NetworkState {
  mode: Network;
  /** bridge only: its leased address and veth; null in the other modes (or when the lease is not found). */
  bridge: BridgeLink | null;
  /** Every interface the container sees, in the kernel's order: lo alone with none, lo and eth0 on the bridge, the host's with host. */
  interfaces: InterfaceTraffic[];
  /** -p: the host's ports that lead to the container's. */
  ports: PublishedPort[];
}

/** What the network is read from: a started container (Container has all of it). */
export interface NetworkedContainer {
  id: string;
  hostPid: number;
  network: ContainerNetwork;
  spec: Pick<ResolvedSpec, 'ports'>;
}

/** The network of `container` now; throws a RuntimeError once its process is gone. */
export function readNetwork(container: NetworkedContainer): NetworkState {
  const { mode } = container.network;
  return {
    mode,
    bridge: mode === 'bridge' ? bridgeLinkOf(container.id, container.network) : null,
    interfaces: interfaceTraffic(container.hostPid, container.id),
    ports: container.spec.ports,
  };
}

function bridgeLinkOf(id: string, network: ContainerNetwork): BridgeLink | null {
  const [address, prefix] = network.address?.split('/') ?? [];
  if (!address || !prefix || !network.gateway) return null;
  const hostVeth = `bdv${id}`;
  const index = readRegularFile(`/sys/class/net/${hostVeth}/ifindex`);
  return { address, prefix: Number(prefix), gateway: network.gateway, hostVeth, hostVethIndex: index === null ? null : Number(index) };
}

/** The interfaces the container's own traffic is counted on: eth0 on the bridge, lo alone with none, the host's but lo with host. */
export function trafficOf(network: NetworkState): { on: string; rxBytes: number; txBytes: number } {
  const on = network.mode === 'host' ? 'host' : network.mode === 'bridge' ? 'eth0' : 'lo';
  const counted = network.interfaces.filter((i) => (network.mode === 'host' ? i.name !== 'lo' : i.name === on));
  return counted.reduce((sum, i) => ({ on, rxBytes: sum.rxBytes + i.rxBytes, txBytes: sum.txBytes + i.txBytes }), { on, rxBytes: 0, txBytes: 0 });
}

/** "127.0.0.1:8080 → 80/tcp"; published on every address of the host's, "0.0.0.0:8080 → 80/tcp" as Docker shows it. */
export function publishedPortText(port: PublishedPort): string {
  return `${port.hostIp ?? '0.0.0.0'}:${port.hostPort} → ${port.containerPort}/${port.protocol}`;
}

/** The counters of every interface of the network namespace `hostPid` is in: /proc/PID/net is that namespace's. */
function interfaceTraffic(hostPid: number, id: string): InterfaceTraffic[] {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${hostPid}/net/dev`, 'utf8');
  } catch {
    throw new RuntimeError(`container ${id} has exited`);
  }
  return parseNetDev(text);
}

/** /proc/net/dev: two header lines, then "  name: rx_bytes rx_packets ... (8 receive fields) tx_bytes ...". */
export function parseNetDev(text: string): InterfaceTraffic[] {
  return text
    .split('\n')
    .slice(2)
    .flatMap((line) => {
      // An interface's name never holds a colon (the kernel refuses one).
      const colon = line.indexOf(':');
      const fields = line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .map(Number);
      if (colon < 0 || fields.length < 16) return [];
      return [{ name: line.slice(0, colon).trim(), rxBytes: fields[0], txBytes: fields[8] }];
    });
}

/** A regular file's text, or null: never through a symlink, and never blocking on a FIFO put in its place. */
function readRegularFile(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return null; // gone (a lease ends at any time), or a symlink
  }
  try {
    return fs.fstatSync(fd).isFile() ? fs.readFileSync(fd, 'utf8') : null;
  } catch {
    return null; // opened as it went: a device being removed answers EINVAL, or ENODEV
  } finally {
    fs.closeSync(fd);
  }
}
