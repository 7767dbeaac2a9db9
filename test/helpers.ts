/** Shared by the tests: the rootfs they run on and the checks that a run left nothing behind. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, type ExitStatus } from '../src/runtime/container.js';
import type { ContainerSpec } from '../src/runtime/spec.js';
import { ensureDefaultRootfs } from '../src/runtime/rootfs.js';
import { addon } from '../src/runtime/native.js';
import { LAYERS_DIR } from '../src/runtime/paths.js';

assert.equal(process.getuid?.(), 0, 'the tests run as root, against the real kernel: sudo npm test');

/** The default rootfs, built from this machine's programs on first use. */
export const ROOTFS = ensureDefaultRootfs();

const CGROUP_ROOT = '/sys/fs/cgroup';

/** Every cgroup directory named baby-docker-* (a container's) or baby-docker (v2: their group) under /sys/fs/cgroup. */
export function containerCgroups(): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const full = path.join(dir, entry.name);
      if (entry.name === 'baby-docker' || entry.name.startsWith('baby-docker-')) found.push(full);
      else if (depth < 6) walk(full, depth + 1);
    }
  };
  walk(CGROUP_ROOT, 0);
  return found;
}

/** The cgroup directories called `name` just below each hierarchy's root (or the v2 root). */
export function cgroupsNamed(name: string): string[] {
  return ['', ...fs.readdirSync(CGROUP_ROOT)].map((hierarchy) => path.join(CGROUP_ROOT, hierarchy, name)).filter((dir) => fs.existsSync(dir));
}

/** Processes in a PID namespace other than ours: containers still running. Zombies
 * are not (one whose parent was killed waits for the host's init to reap it). */
export function containerProcesses(): number[] {
  const own = fs.readlinkSync('/proc/self/ns/pid');
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];
        return state !== 'Z' && fs.readlinkSync(`/proc/${pid}/ns/pid`) !== own;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The runs' state directories; the bridge's (.network) only while it holds more than the bridge's subnet, which
 * stays with bd0. */
export function stateDirs(): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(addon().stateRoot);
  } catch {
    return [];
  }
  return names.filter((name) => name !== '.network' || fs.readdirSync(path.join(addon().stateRoot, name)).join() !== 'subnet');
}

export function hostMounts(): string {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ').slice(3, 5).join(' '))
    .sort()
    .join('\n');
}

/** The bridge network's lease store (see native/network.h). */
export const NETWORK_DIR = `${addon().stateRoot}/.network`;

/** The leases taken: address -> the id of the run it is lent to (a lease file's first line; its published ports follow). */
export function networkLeases(): Record<string, string> {
  let names: string[];
  try {
    names = fs.readdirSync(NETWORK_DIR);
  } catch {
    return {};
  }
  return Object.fromEntries(
    names
      .filter((name) => /^\d+\.\d+\.\d+\.\d+$/.test(name))
      .map((name) => [name, fs.readFileSync(path.join(NETWORK_DIR, name), 'utf8').split('\n')[0]]),
  );
}

/** The host's ends of containers' veth pairs (bdv<id>), sorted. */
export function bridgeVeths(): string[] {
  return fs
    .readdirSync('/sys/class/net')
    .filter((name) => name.startsWith('bdv'))
    .sort();
}

/** The links on the bridge bd0 (none without it). */
export function bridgePorts(): string[] {
  return fs.existsSync('/sys/class/net/bd0/brif') ? fs.readdirSync('/sys/class/net/bd0/brif') : [];
}

/** Whether the host had the bridge bd0 before this test process ran anything. */
const BRIDGE_BEFORE = fs.existsSync('/sys/class/net/bd0');

/** Assert that no container process, cgroup, state directory, new mount, layer's loop device, veth, lease or NAT rule
 * is left. Runs keep bd0, empty, as docker0 stays; a bd0 this process's runs made goes here (gc, as `baby-docker gc`
 * removes it), so the tests leave the host's links as they found them. */
export function assertNothingLeft(mountsBefore: string): void {
  assert.deepEqual(containerProcesses(), [], 'container processes left running');
  assert.deepEqual(containerCgroups(), [], 'container cgroups left behind');
  assert.deepEqual(stateDirs(), [], 'state directories left behind');
  assert.equal(hostMounts(), mountsBefore, 'the host mount table changed');
  assert.deepEqual(layerLoopDevices(), [], 'loop devices of layers left attached');
  // The kernel removes a veth with its container's network namespace, a moment after the run has ended.
  for (const deadline = Date.now() + 5000; bridgeVeths().length > 0 && Date.now() < deadline;)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  assert.deepEqual(bridgeVeths(), [], 'veths of containers left behind');
  assert.deepEqual(networkLeases(), {}, 'network leases left behind');
  assert.deepEqual(bridgePorts(), [], 'links left on the bridge bd0');
  assert.notEqual(
    spawnSync('nft', ['list', 'table', 'ip', 'baby-docker'], { stdio: 'ignore' }).status,
    0,
    'the nft table ip baby-docker left behind',
  );
  assert.doesNotMatch(iptablesRules(), /BABY-DOCKER/, 'iptables chains of ours left behind');
  if (!BRIDGE_BEFORE && fs.existsSync('/sys/class/net/bd0')) {
    addon().gc(true);
    assert.equal(fs.existsSync('/sys/class/net/bd0'), false, 'the unused bridge bd0 our runs made is still there after gc');
  }
}

/** The host's iptables rules (nat and raw), as iptables-save prints them; "" without iptables. */
export function iptablesRules(): string {
  return ['nat', 'raw'].map((table) => spawnSync('iptables-save', ['-t', table], { encoding: 'utf8' }).stdout ?? '').join('');
}

/** An exit status without its memory figures, which vary from run to run. */
export function outcome(status: ExitStatus): Omit<ExitStatus, 'memory'> {
  const { memory: _, ...rest } = status;
  return rest;
}

export interface RunResult extends ExitStatus {
  stdout: string;
  stderr: string;
}

/** Run a command in a container on ROOTFS with pipes and collect its output. */
export async function runInContainer(command: string[], spec: Partial<ContainerSpec> = {}): Promise<RunResult> {
  const container = await start({ rootfs: ROOTFS, ...spec, command });
  container.stdin?.end();
  let stdout = '';
  let stderr = '';
  container.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  container.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const status = await container.wait();
  return { ...status, stdout, stderr };
}

/** Run the built CLI (dist/src/cli/baby-docker.js) to the end. */
export function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const CLI_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'baby-docker.js');

/** Loop devices whose file is one of the runtime's layers (a run's, named or not). */
export function layerLoopDevices(): string[] {
  return fs.readdirSync('/sys/block').filter((name) => {
    try {
      return fs.readFileSync(`/sys/block/${name}/loop/backing_file`, 'utf8').startsWith(`${LAYERS_DIR}/`);
    } catch {
      return false;
    }
  });
}

/** A root filesystem of static busybox (busybox-static, installed by .ci/run) at dir/bin, with `applets` linked to it; returns dir. */
export function busyboxTree(dir: string, applets: string[]): string {
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.copyFileSync('/usr/bin/busybox', path.join(dir, 'bin', 'busybox'));
  fs.chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
  for (const applet of applets) fs.symlinkSync('busybox', path.join(dir, 'bin', applet));
  return dir;
}
