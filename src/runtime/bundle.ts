/**
 * OCI bundles (a directory with a config.json, runtime-spec 1.x) for `baby-docker spec` and `baby-docker run
 * --bundle`: the default config we write, and a bundle read as one of our runs. baby-docker-runc runs a bundle
 * with every field it supports; a run takes what maps onto a ContainerSpec and refuses the rest by name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import { RuntimeError } from './errors.js';
import type { ContainerSpec } from './spec.js';

/** A default config.json, as `runc spec` writes one: root "rootfs", sh on a terminal, our default capabilities. */
export function defaultBundleConfig(): Record<string, unknown> {
  const caps = DEFAULT_CAPABILITIES.map((name) => `CAP_${name}`);
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'baby-docker',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: [
        '/proc/acpi',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/proc/scsi',
        '/sys/firmware',
      ],
      readonlyPaths: ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** Mounts every run of ours makes itself, whatever the config says of them. */
const OWN_MOUNTS = new Set(['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);

interface OciMount {
  destination?: string;
  type?: string;
  source?: string;
  options?: string[];
}

function fail(dir: string, what: string): never {
  throw new RuntimeError(`bundle ${dir}: ${what}`);
}

/** The bundle at `dir` as a run: root, process (args, env, cwd, user), hostname, bind and tmpfs mounts, memory and
 * pids limits, and a network namespace of its own (none) or the host's. */
export function specFromBundle(dir: string): ContainerSpec {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document, checked field by field below
  let config: Record<string, any>;
  try {
    config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  } catch (error) {
    fail(
      dir,
      `cannot read config.json (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give a bundle directory, e.g. one baby-docker spec made`,
    );
  }
  if (typeof config.ociVersion !== 'string' || !config.ociVersion.startsWith('1.'))
    fail(dir, `ociVersion ${config.ociVersion}: runtime-spec 1.x only`);
  const process_ = config.process;
  if (!Array.isArray(process_?.args) || process_.args.length === 0) fail(dir, 'process.args is empty: give the command to run');
  if (typeof config.root?.path !== 'string') fail(dir, 'no root.path: give the root filesystem directory');
  const env: Record<string, string> = {};
  for (const entry of process_.env ?? []) {
    const equals = String(entry).indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  const volumes: string[] = [];
  const tmpfs: string[] = [];
  for (const mount of (config.mounts ?? []) as OciMount[]) {
    const destination = mount.destination ?? '';
    const options = mount.options ?? [];
    if (OWN_MOUNTS.has(destination)) continue;
    if (mount.type === 'bind' || options.includes('bind') || options.includes('rbind')) {
      volumes.push(`${path.resolve(dir, mount.source ?? '')}:${destination}${options.includes('ro') ? ':ro' : ''}`);
    } else if (mount.type === 'tmpfs') {
      const kept = options.filter((option) => /^(size|mode|uid|gid)=|^(exec|ro)$/.test(option));
      tmpfs.push(kept.length ? `${destination}:${kept.join(',')}` : destination);
    } else {
      fail(dir, `mounts: a ${mount.type} mount at ${destination} is not one baby-docker run makes (baby-docker-runc runs this bundle)`);
    }
  }
  const namespaces: { type?: string; path?: string }[] = config.linux?.namespaces ?? [];
  const joined = namespaces.find((ns) => ns.path);
  if (joined) fail(dir, `linux.namespaces: joining the ${joined.type} namespace at ${joined.path} is for baby-docker-runc, not baby-docker run`);
  const network = namespaces.find((ns) => ns.type === 'network');
  const { uid = 0, gid = 0 } = process_.user ?? {};
  const resources = config.linux?.resources ?? {};
  return {
    rootfs: path.resolve(dir, config.root.path),
    command: process_.args.map(String),
    env,
    ...(process_.cwd && process_.cwd !== '/' ? { workdir: process_.cwd } : {}),
    ...(uid !== 0 || gid !== 0 ? { user: `${uid}:${gid}` } : {}),
    ...(typeof config.hostname === 'string' ? { hostname: config.hostname } : {}),
    readOnly: config.root.readonly === true,
    ...(typeof resources.memory?.limit === 'number' ? { memory: resources.memory.limit } : {}),
    ...(typeof resources.pids?.limit === 'number' && resources.pids.limit > 0 ? { pids: resources.pids.limit } : {}),
    volumes,
    tmpfs,
    // An OCI network namespace of its own has only lo; without one, the host's.
    network: network ? 'none' : 'host',
  };
}
