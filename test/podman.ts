/** Debian's podman with private storage, config and state under a directory of the caller's, holding one local
 * image, localhost/bb:1, of a rootfs tree (no registry, no network): for the engine tests and the bench. */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PrivatePodman {
  /** For podman's environment: its config and storage config files. */
  env: NodeJS.ProcessEnv;
  /** Run podman with the runtime at `runtime`. */
  run(runtime: string, ...args: string[]): SpawnSyncReturns<string>;
  /** Remove its containers and image, its mounts and the cgroupfs parents it made. */
  remove(): void;
}

export const PODMAN_IMAGE = 'localhost/bb:1';

export function privatePodman(dir: string, imageTree: string): PrivatePodman {
  for (const sub of ['root', 'runroot', 'tmp']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const env = { ...process.env, CONTAINERS_CONF: path.join(dir, 'containers.conf'), CONTAINERS_STORAGE_CONF: path.join(dir, 'storage.conf') };
  // podman (rootful) asks for nofile and nproc limits above the hard ones we run under, which setrlimit refuses
  // without CAP_SYS_RESOURCE (runc and crun alike): the containers get ours, nproc no higher than kernel.pid_max,
  // which conmon runs the runtime with.
  const limits = fs.readFileSync('/proc/self/limits', 'utf8');
  const hardLimit = (name: string): string => new RegExp(`^${name}\\s+\\S+\\s+(\\S+)`, 'm').exec(limits)![1]!;
  const pidMax = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  const nproc = hardLimit('Max processes') === 'unlimited' ? pidMax : Math.min(Number(hardLimit('Max processes')), pidMax);
  const nofile = hardLimit('Max open files');
  fs.writeFileSync(
    env.CONTAINERS_CONF,
    [
      '[containers]',
      'log_driver = "k8s-file"',
      `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
      '[engine]',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = "${dir}/events.log"`,
      `tmp_dir = "${dir}/tmp"`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    env.CONTAINERS_STORAGE_CONF,
    ['[storage]', 'driver = "overlay"', `graphroot = "${dir}/root"`, `runroot = "${dir}/runroot"`, ''].join('\n'),
  );
  const tar = path.join(dir, 'rootfs.tar');
  assert.equal(spawnSync('tar', ['-C', imageTree, '-cf', tar, '.']).status, 0, 'tar of the image tree');
  const imported = spawnSync('podman', ['import', tar, PODMAN_IMAGE], { encoding: 'utf8', env });
  assert.equal(imported.status, 0, `podman import: ${imported.stderr}`);
  const podman = (...args: string[]) => spawnSync('podman', args, { encoding: 'utf8', env, timeout: 60_000 });
  return {
    env,
    run: (runtime, ...args) => podman('--runtime', runtime, ...args),
    remove: () => {
      podman('rm', '-a', '-f', '-t', '0');
      podman('rmi', '-a', '-f');
      spawnSync('sh', ['-c', `grep -o " ${dir}[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l`]);
      for (const hierarchy of fs.readdirSync('/sys/fs/cgroup')) {
        for (const parent of ['libpod_parent/conmon', 'libpod_parent']) {
          const group = path.join('/sys/fs/cgroup', hierarchy, parent);
          if (fs.existsSync(group)) fs.rmdirSync(group);
        }
      }
    },
  };
}
