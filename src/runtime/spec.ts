import * as fs from 'node:fs';
import * as path from 'node:path';
import { capabilityMask } from './capabilities.js';
import { type BridgeConfig, hostConfig } from './config.js';
import { RuntimeError } from './errors.js';
import type { LocalImage } from './images/index.js';
import { defaultCommand } from './insideRootfs.js';
import { ensureLayerTemplate, findKeptLayer, keptLayerPath, type LayerPlan } from './layer.js';

/** What to run, as a caller describes it. */
export interface ContainerSpec {
  /** Root filesystem directory, "default" for the built-in one, or a local image (name or id). */
  rootfs: string;
  /** The command and its arguments; empty: the image's (Entrypoint and Cmd), or the rootfs's shell. */
  command: string[];
  /** Run this program, `command` its arguments (Docker's --entrypoint): over the image's Entrypoint, and its Cmd is dropped. */
  entrypoint?: string;
  /** Memory limit: bytes, or a size such as "256m"; 0 for none. Default 100m. */
  memory?: number | string;
  /** Most processes at once. Default 1024. */
  pids?: number | string;
  /** Default: the container id. */
  hostname?: string;
  /** Run a tiny init as PID 1 that forwards signals and reaps zombies. */
  init?: boolean;
  /** Extra environment variables for the command. */
  env?: Record<string, string>;
  /** Capabilities to keep beyond the default set, by name (SYS_ADMIN, CAP_NET_ADMIN, ALL). */
  capAdd?: string[];
  /** Capabilities of the default set to drop. */
  capDrop?: string[];
  /** "none" turns the hardening off: every capability, no seccomp filter, nothing masked in /proc. */
  security?: 'default' | 'none';
  /** Run as UID[:GID] or NAME[:GROUP] (names from the container's /etc/passwd and /etc/group). Default: root. */
  user?: string;
  /** The command's working directory, absolute; made if missing. Default: /. */
  workdir?: string;
  /** Mount the container's / read-only. */
  readOnly?: boolean;
  /** A name to find it by besides its id (ps, exec), unique among running containers. */
  name?: string;
  /** The most the run may write (its layer's size): bytes, or a size such as "1g". Default 1g. */
  disk?: number | string;
  /** Keep the run's layer after it ends, for a later run to go on in (`onLayerOf`). */
  keep?: boolean;
  /** Go on in the kept layer of this run (an id), instead of a fresh one. */
  onLayerOf?: string;
  /** Where layers are kept and found: the runtime's store (default), or a sessionLayersDir. */
  layersDir?: string;
  /** Write into the rootfs directory itself, with no layer, as the original did. */
  rootfsRw?: boolean;
  /** Host paths bound in, as Docker's -v takes them: "HOST:CONTAINER" or "HOST:CONTAINER:ro". */
  volumes?: string[];
  /** tmpfs mounts, as Docker's --tmpfs takes them: "PATH" or "PATH:size=64m,mode=1777,exec,ro". */
  tmpfs?: string[];
  /** "bridge" (the default): eth0 on the host's bridge bd0 with an address of its own, NAT out, /etc/resolv.conf from the
   * host's resolvers; "none": a network namespace with only lo; "host": the host's own network stack. Left out, the bridge
   * falls back to none where the host cannot make it (Container.network says why). */
  network?: string;
  /** Ports published on the host, as Docker's -p takes them: "[IP:]HOST:CONTAINER[/tcp|/udp]" (bridge only). */
  publish?: string[];
}

export type Network = 'none' | 'host' | 'bridge';

/** A port of the container's reachable on the host (-p): DNAT from hostPort to the container's address. */
export interface PublishedPort {
  /** The host address it is published on; null: every address of the host's, 127.0.0.1 included. */
  hostIp: string | null;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

/** The storage options of a run as they are typed (-v, --tmpfs, --disk): labs, the UI's runs and its command line carry them so. */
export type StorageOptions = Pick<ContainerSpec, 'volumes' | 'tmpfs' | 'disk'>;

/** Check typed storage options at once (each parser throws the one-line error). */
export function checkStorageOptions(options: StorageOptions): void {
  for (const volume of options.volumes ?? []) parseVolume(volume);
  for (const tmpfs of options.tmpfs ?? []) parseTmpfs(tmpfs);
  if (options.disk !== undefined) parseDisk(options.disk);
}

/** A volume, checked: a host path bound in, or a tmpfs. */
export type Volume = { kind: 'bind'; source: string; target: string; readOnly: boolean } | { kind: 'tmpfs'; target: string; options: string };

/** A spec checked and filled in: what the shim is started with. */
export interface ResolvedSpec {
  /** The rootfs directory, or the image's name. */
  rootfs: string;
  /** The image's id (its config digest) when rootfs is an image's name; null on a directory. */
  imageId: string | null;
  /** The image's layer directories, topmost first (the overlay's lower layers); empty on a directory. */
  lowers: string[];
  command: string[];
  memory: number;
  pids: number;
  hostname: string;
  init: boolean;
  env: Record<string, string>;
  /** Capabilities kept (bit n = capability n), or null with the hardening off. */
  capabilities: bigint | null;
  user: string | null;
  workdir: string | null;
  readOnly: boolean;
  name: string | null;
  /** The run's writable layer, or null to run on the rootfs itself. */
  layer: LayerPlan | null;
  /** Mounted in this order: a parent before what is mounted inside it. */
  volumes: Volume[];
  network: Network;
  /** The network was not asked for: the bridge, or none where the host cannot make one. */
  networkByDefault: boolean;
  /** Published ports (bridge only). */
  ports: PublishedPort[];
  /** The host's settings for the bridge (its config file); null without the bridge. */
  bridge: BridgeConfig | null;
}

export const DEFAULT_DISK = 1024 ** 3;
export const DEFAULT_PIDS = 1024;
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
/** The smallest memory limit a container can start with. */
const MIN_MEMORY = 6 * 1024 * 1024;

/** The smallest layer mkfs.ext4 makes with room to write in. */
const MIN_DISK = 16 * 1024 * 1024;

/** "256m" -> bytes. Accepts a plain number of bytes and k, m, g suffixes. */
function parseSize(value: number | string, what: string): number {
  const text = String(value).trim().toLowerCase();
  const match = /^(\d+)([bkmg]?)$/.exec(text);
  if (!match) throw new RuntimeError(`invalid ${what} size "${value}": use a number of bytes or a size like 256m or 1g`);
  const bytes = Number(match[1]) * SIZE_UNITS[match[2]];
  if (!Number.isSafeInteger(bytes)) throw new RuntimeError(`${what} size "${value}" is too large`);
  return bytes;
}

export function parseMemory(value: number | string): number {
  const bytes = parseSize(value, 'memory');
  if (bytes !== 0 && bytes < MIN_MEMORY) {
    throw new RuntimeError(`memory limit "${value}" is too small: use at least 6m, or 0 for no limit`);
  }
  return bytes;
}

/** The memory limit of a run that names none: as a user types it (the UI shows it so), and in bytes. */
export const DEFAULT_MEMORY_SIZE = '100m';
export const DEFAULT_MEMORY = parseMemory(DEFAULT_MEMORY_SIZE);

export function parseDisk(value: number | string): number {
  const bytes = parseSize(value, 'disk');
  if (bytes < MIN_DISK) throw new RuntimeError(`disk size "${value}" is too small: use at least 16m`);
  return bytes;
}

/** The most pids.max takes: the kernel's PID_MAX_LIMIT on 64-bit. */
const MAX_PIDS = 4 * 1024 * 1024;

export function parsePids(value: number | string): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_PIDS) {
    throw new RuntimeError(`invalid pids limit "${value}": use a whole number from 1 to ${MAX_PIDS}`);
  }
  return Number(text);
}

/** RFC 1123 label: what sethostname accepts and other hosts can resolve. */
export function checkHostname(name: string): string {
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(name)) {
    throw new RuntimeError(`invalid hostname "${name}": use 1-63 letters, digits and inner hyphens (e.g. lab1)`);
  }
  return name;
}

/** Resolve and check the rootfs directory (the built-in default is made on first use). */
export async function resolveRootfs(rootfs: string): Promise<string> {
  if (rootfs === 'default') {
    const { ensureDefaultRootfs } = await import('./rootfs.js');
    return ensureDefaultRootfs();
  }
  return checkRootfsDir(rootfs);
}

/** What a run starts from: a root filesystem directory, or a local image. */
export type RunSource = { dir: string } | { image: LocalImage };

/** A rootfs as typed: a path (or anything that is one here) is a directory, "default" the built-in one, anything else an image
 * (nothing at all is a directory not given, which checkRootfsDir says). */
export function namesDirectory(rootfs: string): boolean {
  return rootfs === 'default' || rootfs.trim() === '' || /^(\/|\.|~)/.test(rootfs) || fs.existsSync(rootfs);
}

export async function resolveSource(rootfs: string): Promise<RunSource> {
  if (namesDirectory(rootfs)) return { dir: await resolveRootfs(rootfs) };
  const { findLocalImage } = await import('./images/index.js');
  const image = findLocalImage(rootfs);
  if (image) return { image };
  throw new RuntimeError(`no rootfs directory or local image "${rootfs}": pull it (baby-docker pull ${rootfs}), or give a directory`);
}

/** The command, as Docker makes it: the entrypoint (the flag's, else the image's), then the arguments given, else the image's Cmd
 * (dropped with --entrypoint); on a directory with neither, its shell. */
function resolveCommand(spec: ContainerSpec, source: RunSource): string[] {
  const config = 'image' in source ? source.image.config : null;
  const entrypoint = spec.entrypoint !== undefined ? [spec.entrypoint] : (config?.entrypoint ?? []);
  let args = spec.command;
  if (args.length === 0 && spec.entrypoint === undefined) args = config ? (config.cmd ?? []) : defaultCommand('dir' in source ? source.dir : '');
  const command = [...entrypoint, ...args];
  if (command.length === 0 || command[0] === '') {
    throw new RuntimeError(
      config ? `image ${spec.rootfs} names no command: give one, e.g. /bin/sh` : 'no command given: name the program to run, e.g. /bin/sh',
    );
  }
  return command;
}

/** The image's environment (KEY=VALUE entries) under the one given. */
function resolveEnv(spec: ContainerSpec, source: RunSource): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of 'image' in source ? source.image.config.env : []) {
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return { ...env, ...spec.env };
}

/** Check that `rootfs` names a usable root filesystem directory; returns its
 * real path, or throws a RuntimeError saying what is wrong. Cheap: the picker
 * calls it as a path is typed. */
export function checkRootfsDir(rootfs: string): string {
  if (rootfs.trim() === '') throw new RuntimeError('no rootfs given: name a root filesystem directory, or "default"');
  const absolute = path.resolve(rootfs);
  let real: string;
  try {
    real = fs.realpathSync(absolute);
  } catch {
    throw new RuntimeError(
      `rootfs ${rootfs} does not exist: give a root filesystem directory, or create one with "baby-docker rootfs create ${rootfs}"`,
    );
  }
  if (!fs.statSync(real).isDirectory()) {
    throw new RuntimeError(`rootfs ${rootfs} is not a directory: give a root filesystem directory`);
  }
  if (real === '/') {
    throw new RuntimeError(`rootfs ${rootfs} is the host's own root: give a separate root filesystem directory`);
  }
  return real;
}

export function checkRoot(): void {
  if (process.getuid?.() !== 0) throw new RuntimeError('baby-docker must run as root: try sudo');
}

export async function resolveSpec(spec: ContainerSpec, id: string): Promise<ResolvedSpec> {
  checkRoot();
  const source = await resolveSource(spec.rootfs);
  const config = 'image' in source ? source.image.config : null;
  if (config && spec.rootfsRw)
    throw new RuntimeError(`--rootfs-rw writes into a rootfs directory: image ${spec.rootfs} has layers shared with others, never written to`);
  const user = spec.user ?? (config?.user || undefined);
  const workdir = spec.workdir ?? (config?.workingDir || undefined);
  const network = spec.network === undefined ? 'bridge' : checkNetwork(spec.network);
  return {
    rootfs: 'image' in source ? source.image.name : source.dir,
    imageId: 'image' in source ? source.image.id : null,
    lowers: 'image' in source ? [...source.image.layers].reverse() : [],
    command: resolveCommand(spec, source),
    memory: spec.memory === undefined ? DEFAULT_MEMORY : parseMemory(spec.memory),
    pids: spec.pids === undefined ? DEFAULT_PIDS : parsePids(spec.pids),
    hostname: checkHostname(spec.hostname ?? id),
    init: spec.init ?? false,
    env: resolveEnv(spec, source),
    capabilities: resolveCapabilities(spec),
    user: user === undefined ? null : checkUser(user),
    workdir: workdir === undefined ? null : checkWorkdir(workdir),
    readOnly: spec.readOnly ?? false,
    name: spec.name === undefined ? null : checkName(spec.name),
    layer: resolveLayer(spec, id),
    volumes: resolveVolumes(spec),
    network,
    networkByDefault: spec.network === undefined,
    ports: resolvePorts(spec.publish ?? [], network),
    bridge: network === 'bridge' ? hostConfig().bridge : null,
  };
}

function resolvePorts(publish: string[], network: Network): PublishedPort[] {
  const ports = publish.map(parsePublish);
  if (ports.length > 0 && network !== 'bridge') {
    throw new RuntimeError(`-p publishes a port of the container's own network: it needs --network bridge, not ${network}`);
  }
  const seen = new Set<string>();
  for (const port of ports) {
    const key = `${port.hostPort}/${port.protocol}`;
    if (seen.has(key)) throw new RuntimeError(`-p: host port ${key} is published twice: give each host port once`);
    seen.add(key);
  }
  return ports;
}

function parsePort(text: string, given: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : 0;
  if (port < 1 || port > 65535) throw new RuntimeError(`-p ${given}: "${text}" is not a port (1-65535)`);
  return port;
}

/** -p [IP:]HOST:CONTAINER[/tcp|/udp], as Docker takes it (one port each; no ranges). */
export function parsePublish(given: string): PublishedPort {
  const slash = given.lastIndexOf('/');
  const protocol = slash < 0 ? 'tcp' : given.slice(slash + 1);
  if (protocol !== 'tcp' && protocol !== 'udp') throw new RuntimeError(`-p ${given}: the protocol must be tcp or udp, e.g. -p 8080:80/udp`);
  const parts = (slash < 0 ? given : given.slice(0, slash)).split(':');
  if (parts.length < 2 || parts.length > 3) throw new RuntimeError(`-p ${given}: give [IP:]HOST:CONTAINER, e.g. -p 8080:80 or -p 127.0.0.1:8080:80`);
  const hostIp = parts.length === 3 ? parts[0] : null;
  if (hostIp !== null && !/^(\d{1,3})(\.\d{1,3}){3}$/.test(hostIp)) throw new RuntimeError(`-p ${given}: "${hostIp}" is not an IPv4 address`);
  if (hostIp !== null && hostIp.split('.').some((octet) => Number(octet) > 255))
    throw new RuntimeError(`-p ${given}: "${hostIp}" is not an IPv4 address`);
  const [host, container] = parts.slice(-2);
  return { hostIp, hostPort: parsePort(host, given), containerPort: parsePort(container, given), protocol };
}

/** What a caller says, once, when the default bridge fell back to none. */
export function bridgeFallbackNote(reason: string): string {
  return `no bridge network on this host, so the container has only lo (--network none asks for that and silences this): ${reason}`;
}

export function checkNetwork(network: string): Network {
  if (network === 'none' || network === 'host' || network === 'bridge') return network;
  throw new RuntimeError(
    `invalid network "${network}": use bridge (the default: an address on the host's bridge bd0, NAT out), none (only lo) or host (the host's own network)`,
  );
}

/** A path in the container for a mount: absolute, below /, and free of what the shim splits on. */
function checkTarget(target: string, flag: string, given: string): string {
  if (!target.startsWith('/') || /^\/+$/.test(target) || /[:\0]/.test(target)) {
    throw new RuntimeError(`${flag} ${given}: the path inside must be absolute and below /, e.g. /data`);
  }
  return path.posix.normalize(target);
}

/** -v HOST:CONTAINER[:ro|rw]: the host path must exist (it is bound as it is, a file or a directory). */
export function parseVolume(given: string): Volume {
  const parts = given.split(':');
  const [source, target, mode = 'rw'] = parts;
  if (parts.length < 2 || parts.length > 3 || (mode !== 'ro' && mode !== 'rw')) {
    throw new RuntimeError(`-v ${given}: give HOST:CONTAINER or HOST:CONTAINER:ro, e.g. -v /srv/data:/data:ro`);
  }
  if (!source.startsWith('/'))
    throw new RuntimeError(`-v ${given}: the host path must be absolute (named volumes are not supported), e.g. -v $PWD/data:/data`);
  let real: string;
  try {
    real = fs.realpathSync(source);
  } catch {
    throw new RuntimeError(`-v ${given}: ${source} does not exist on the host: create it first`);
  }
  if (real.includes(':')) throw new RuntimeError(`-v ${given}: the host path ${real} holds a ":", which cannot be bound`);
  return { kind: 'bind', source: real, target: checkTarget(target, '-v', given), readOnly: mode === 'ro' };
}

const TMPFS_OPTION = /^(size=\d+[kmg%]?|mode=[0-7]{3,4}|uid=\d+|gid=\d+|nr_inodes=\d+[kmg]?|exec|noexec|ro|rw)$/;

/** --tmpfs PATH[:OPTIONS]: Docker's options (size=, mode=, uid=, gid=, nr_inodes=, exec, ro); noexec, nosuid and nodev by default. */
export function parseTmpfs(given: string): Volume {
  const colon = given.indexOf(':');
  const target = colon < 0 ? given : given.slice(0, colon);
  const options =
    colon < 0
      ? []
      : given
          .slice(colon + 1)
          .split(',')
          .filter((o) => o !== '');
  const bad = options.find((o) => !TMPFS_OPTION.test(o));
  if (bad !== undefined)
    throw new RuntimeError(`--tmpfs ${given}: unknown option "${bad}": use size=64m, mode=1777, uid=, gid=, nr_inodes=, exec, ro`);
  return { kind: 'tmpfs', target: checkTarget(target, '--tmpfs', given), options: options.filter((o) => o !== 'noexec' && o !== 'rw').join(',') };
}

function resolveVolumes(spec: ContainerSpec): Volume[] {
  const volumes = [...(spec.volumes ?? []).map(parseVolume), ...(spec.tmpfs ?? []).map(parseTmpfs)];
  const depth = (v: Volume) => v.target.split('/').length;
  return volumes.sort((a, b) => depth(a) - depth(b)); // stable: same depth keeps the order given
}

function resolveLayer(spec: ContainerSpec, id: string): LayerPlan | null {
  if (spec.rootfsRw) {
    if (spec.keep || spec.onLayerOf !== undefined || spec.disk !== undefined) {
      throw new RuntimeError('--rootfs-rw writes into the rootfs itself: it has no layer for --keep or --disk');
    }
    return null;
  }
  if (spec.onLayerOf !== undefined) {
    if (spec.keep || spec.disk !== undefined) {
      throw new RuntimeError('a run that goes on in a kept layer keeps it, at the size it has: leave out --keep and --disk');
    }
    return { reuse: findKeptLayer(spec.onLayerOf, spec.layersDir) };
  }
  const template = ensureLayerTemplate(spec.disk === undefined ? DEFAULT_DISK : parseDisk(spec.disk));
  return { template, keep: spec.keep ? keptLayerPath(id, spec.layersDir) : null };
}

/** A -u value as the native core takes it: NAME or UID, then :GROUP or :GID if given. */
export function checkUser(user: string): string {
  if (!/^[^:\0\s]+(:[^:\0\s]+)?$/.test(user)) {
    throw new RuntimeError(`invalid user "${user}": give NAME or UID, then :GROUP or :GID if you like (e.g. -u 1000:1000, -u nobody)`);
  }
  return user;
}

/** A --name: Docker's rule (a letter or digit, then letters, digits, _ . -), and not an id's shape, which would shadow one. */
export function checkName(name: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(name) || /^[0-9a-f]+$/.test(name)) {
    throw new RuntimeError(
      `invalid name "${name}": start with a letter or digit, then letters, digits, _ . or -, and not only hex digits (ids look so)`,
    );
  }
  return name;
}

/** A -w value: an absolute path in the container. */
export function checkWorkdir(dir: string): string {
  if (!dir.startsWith('/') || dir.includes('\0')) throw new RuntimeError(`working directory "${dir}" is not absolute: give it from /, e.g. -w /tmp`);
  return dir;
}

/** The capabilities a spec keeps (bit n = capability n), or null with the hardening off; throws on bad names. */
export function resolveCapabilities(spec: Pick<ContainerSpec, 'capAdd' | 'capDrop' | 'security'>): bigint | null {
  const security = spec.security ?? 'default';
  if (security !== 'default' && security !== 'none') {
    throw new RuntimeError(`invalid security setting "${String(security)}": use "default" or "none"`);
  }
  if (security === 'default') return capabilityMask(spec.capAdd, spec.capDrop);
  if (spec.capAdd?.length || spec.capDrop?.length) {
    throw new RuntimeError('--cap-add and --cap-drop do not go with --security none, which keeps every capability');
  }
  return null;
}
