/**
 * What a lab step looks at: the terminal's output, the container's stats and
 * exit, a command run inside, facts of the host; the host-side things a step
 * sets up (fixtures); and the lines that put the host's view beside the
 * container's. Shared by the unattended check and the UI's lab panel.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { start, type ContainerStats, type ExitStatus } from '../runtime/container.js';
import { publishedPortText, trafficOf, type NetworkState } from '../runtime/network.js';
import type { Check, Fixture, HostFact, StatCondition, View } from './lab.js';

/** What is known of the step's container right now. */
export interface Observation {
  /** Terminal output since the step began, escape sequences and CRs removed. */
  output: string;
  stats: ContainerStats | null;
  /** The container's network as last read; null before that, or once it has ended. */
  network: NetworkState | null;
  exit: ExitStatus | null;
  hostPid: number | null;
  /** Runs `sh -c command` inside the container: its stdout, or null when it cannot. */
  exec: (command: string) => Promise<string | null>;
  /** The host's hostname when the lab began. */
  hostHostname: string;
}

/** CSI, OSC and the two-byte escapes: what a terminal acts on rather than shows. */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78DEHMc]/g;

/** Output as plain text, for `output` checks. */
export function plainText(output: string): string {
  return output.replace(ESCAPES, '').replace(/\r/g, '');
}

function statValue(stats: ContainerStats | null, key: StatCondition['key']): number | null {
  if (!stats) return null;
  if (key === 'pids.current') return stats.pids.current;
  if (!stats.memory) return null;
  if (key === 'memory.current') return stats.memory.current;
  if (key === 'memory.peak') return stats.memory.peak;
  return stats.memory.oomKills;
}

function compare(value: number, { op, value: limit }: StatCondition): boolean {
  switch (op) {
    case '>=':
      return value >= limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '<':
      return value < limit;
    default:
      return value === limit;
  }
}

function hostMountSources(): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' - ')[1]?.split(' ')[1] ?? '');
}

function hostFactHolds(fact: HostFact, observation: Observation): boolean {
  if (fact === 'hostname-unchanged') return os.hostname() === observation.hostHostname;
  if (fact === 'responsive') {
    const began = Date.now();
    return spawnSync('true').status === 0 && Date.now() - began < 1000;
  }
  return !hostMountSources().includes(fact.noMount);
}

/**
 * What is still missing for `check` to pass, or null once it does: words
 * that read after "waiting for" ("a line \"my PID is 1\" in the output").
 */
export async function unmet(check: Check, observation: Observation): Promise<string | null> {
  if (check.output && !check.output.test(observation.output)) return outputWanted(check.output);
  if (check.exit !== undefined && observation.exit?.code !== check.exit) return exitWanted(check.exit);
  if (check.oom && !observation.exit?.oomKilled && !(observation.stats?.memory?.oomKills ?? 0)) return OOM_WANTED;
  if (check.stat) {
    const value = statValue(observation.stats, check.stat.key);
    if (value === null || !compare(value, check.stat)) return `${statWanted(check.stat)} (it is ${value ?? 'not known yet'})`;
  }
  if (check.host && !hostFactHolds(check.host, observation)) return hostWanted(check.host);
  if (check.exec) {
    const out = await observation.exec(check.exec.command);
    if (out === null || !check.exec.output.test(out)) return execWanted(check.exec);
  }
  if (check.connect) {
    const read = await readFromHost(check.connect.port);
    if (read === null || !check.connect.output.test(read)) return connectWanted(check.connect);
  }
  return null;
}

/** How long the host waits for a published port to answer and say its line. */
const CONNECT_WAIT_MS = 2000;

/** What a connection from the host to 127.0.0.1:port reads before the other side closes it (or the wait is over); null when refused. */
function readFromHost(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    let read = '';
    let connected = false;
    const socket = net.connect(port, '127.0.0.1', () => (connected = true));
    socket.setTimeout(CONNECT_WAIT_MS, () => socket.destroy());
    socket.setEncoding('utf8').on('data', (chunk: string) => (read += chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(connected ? read : null));
  });
}

/** What `check` waits for before it is first run: its first condition, in unmet's order. */
export function describeCheck(check: Check): string {
  if (check.output) return outputWanted(check.output);
  if (check.exit !== undefined) return exitWanted(check.exit);
  if (check.oom) return OOM_WANTED;
  if (check.stat) return statWanted(check.stat);
  if (check.host) return hostWanted(check.host);
  if (check.exec) return execWanted(check.exec);
  return check.connect ? connectWanted(check.connect) : 'the check';
}

const OOM_WANTED = 'an OOM kill';
const exitWanted = (code: number): string => `the container to exit with code ${code}`;
const statWanted = (stat: StatCondition): string => `${stat.key} ${stat.op} ${stat.value}`;
const execWanted = (exec: NonNullable<Check['exec']>): string => `"${exec.command}" inside to print ${patternWanted(exec.output)}`;
const connectWanted = (connect: NonNullable<Check['connect']>): string =>
  `the host's connection to 127.0.0.1:${connect.port} to read ${patternWanted(connect.output)}`;
const hostWanted = (host: HostFact): string =>
  typeof host === 'string' ? `the host to be ${host.replace('-', ' ')}` : `the host to have no mount of ${host.noMount}`;

function outputWanted(pattern: RegExp): string {
  return `a line ${patternWanted(pattern)} in the output`;
}

/** A pattern as a person reads it: its text, quoted, when it matches only that text; else the pattern itself. */
function patternWanted(pattern: RegExp): string {
  const text = pattern.source.replace(/^\^/, '').replace(/\$$/, '');
  if (!/[\\^$.*+?()[\]{}|]/.test(text)) return `"${text}"`;
  return `like ${pattern.source}`;
}

/** Something the host holds for one step, named in the step's text and command. */
export interface FixtureHandle {
  /** Placeholders it fills in: {shmid}, {port}, {file}, {peer}. */
  values: Record<string, string>;
  /** The host's side of it, one line. */
  view: string;
  /** Resolves once it is gone (a peer container has ended). */
  release(): Promise<void>;
}

/** What a fixture is set up beside: the step's rootfs (a peer runs on it) and container (a server listens in its network). */
export interface FixtureContext {
  rootfs: string;
  /** The step's container's first process on the host. */
  hostPid: number;
}

/** The port a `peer` or `server` fixture listens on, in the container's network namespace. */
const SERVER_PORT = 80;

/**
 * A TCP server on port 80 of the network namespace `hostPid` is in, saying `greeting` to whoever connects: a
 * program of the host's (nsenter runs this Node there), since the default rootfs has no server program.
 */
async function serveInNetworkOf(hostPid: number, greeting: string): Promise<() => Promise<void>> {
  const script = `require('net').createServer((s) => s.end(${JSON.stringify(`${greeting}\n`)})).listen(${SERVER_PORT}, () => console.log('listening'))`;
  const server = spawn('nsenter', [`--net=/proc/${hostPid}/ns/net`, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const ended = once(server, 'close');
  const listening = once(server.stdout, 'data').then(() => true);
  if (!(await Promise.race([listening, ended.then(() => false)]))) throw new Error(`no server could listen in the network of PID ${hostPid}`);
  return async () => {
    server.kill('SIGKILL');
    await ended;
  };
}

export async function setUpFixture(kind: Fixture, context: FixtureContext): Promise<FixtureHandle> {
  if (kind === 'server') {
    const stop = await serveInNetworkOf(context.hostPid, 'hello from inside the container');
    return { values: {}, view: `host: a server listens on port ${SERVER_PORT} in the container's network namespace`, release: stop };
  }
  if (kind === 'peer') {
    const peer = await start({ rootfs: context.rootfs, network: 'bridge', command: ['sleep', '3600'] });
    const gone = async () => {
      peer.kill();
      await peer.wait();
    };
    try {
      const address = peer.network.address?.split('/')[0];
      if (!address) throw new Error(`the peer container ${peer.id} has no address on the bridge`);
      const stop = await serveInNetworkOf(peer.hostPid, `hello from the peer container ${peer.id}`);
      return {
        values: { peer: address },
        view: `host: a peer container ${peer.id} at ${address} on bd0, a server on its port ${SERVER_PORT}`,
        release: async () => {
          await stop();
          await gone();
        },
      };
    } catch (error) {
      await gone();
      throw error;
    }
  }
  if (kind === 'shm') {
    const id = /(\d+)/.exec(execFileSync('ipcmk', ['-M', '4096'], { encoding: 'utf8' }))?.[1];
    if (!id) throw new Error('ipcmk did not say which segment it made');
    return {
      values: { shmid: id },
      view: `host: shared memory segment ${id} exists (ipcs -m on the host lists it)`,
      release: async () => void spawnSync('ipcrm', ['-m', id]),
    };
  }
  if (kind === 'listener') {
    const server = net.createServer((socket) => socket.end('hello from the host\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    return { values: { port: String(port) }, view: `host: a server listens on 127.0.0.1:${port}`, release: async () => void server.close() };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baby-docker-lab-'));
  const file = path.join(dir, 'host-secret.txt');
  fs.writeFileSync(file, 'a file only the host has\n');
  return { values: { file }, view: `host: ${file} exists`, release: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Both ends of the container's network: its interface and address inside, the veth's end (and ports) on the host. */
function networkView(network: NetworkState): string {
  const { on, rxBytes, txBytes } = trafficOf(network);
  const traffic = `${on} rx ${rxBytes} B, tx ${txBytes} B`;
  const ports = network.ports.map((port) => ` · host ${publishedPortText(port)}`).join('');
  const { bridge } = network;
  if (network.mode === 'none') return `inside: lo only (${traffic}) — host: no link to it`;
  if (network.mode === 'host') return `inside: the host's own interfaces (${traffic}) — the same as the host's`;
  if (!bridge) return `inside: eth0 (${traffic}) — host: no lease found`;
  const index = bridge.hostVethIndex !== null ? ` (index ${bridge.hostVethIndex})` : '';
  return `inside: eth0 ${bridge.address}/${bridge.prefix} via ${bridge.gateway} (${traffic}) — host: its veth's end ${bridge.hostVeth}${index} on bd0${ports}`;
}

const MiB = 1024 * 1024;
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/** The step's `show` lines: the container's view beside the host's. */
export function viewLines(views: readonly View[], observation: Observation, fixture: FixtureHandle | null): string[] {
  const { stats, exit } = observation;
  return views.map((view) => {
    switch (view) {
      case 'pid':
        return `inside: PID 1 — on the host: PID ${observation.hostPid ?? '—'}`;
      case 'hostname':
        return `inside: hostname ${stats?.hostname ?? '—'} — host: ${os.hostname()}`;
      case 'memory':
        return stats?.memory
          ? `memory: ${mib(stats.memory.current)} of ${stats.memory.limit ? mib(stats.memory.limit) : 'no limit'}, OOM kills ${stats.memory.oomKills}`
          : 'memory: —';
      case 'pids':
        return stats ? `processes: ${stats.pids.current} of ${stats.pids.limit ?? 'no limit'}` : 'processes: —';
      case 'exit':
        return exit ? `exit code ${exit.code}${exit.oomKilled ? ' · OOM-killed' : ''}` : 'still running';
      case 'network':
        return observation.network ? networkView(observation.network) : 'network: —';
      default:
        return fixture?.view ?? `host: no ${view}`;
    }
  });
}
