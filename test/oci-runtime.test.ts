/** baby-docker-runc, the OCI runtime command line, driven as engines drive runc: create, start, state, kill, delete
 * on a bundle (a busybox rootfs and a config.json), against the real kernel. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { defaultBundleConfig } from '../src/runtime/bundle.js';
import { assertNothingLeft, busyboxTree, cgroupsNamed, CLI_PATH, containerCgroups, containerProcesses, hostMounts } from './helpers.js';

const RUNC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'Release', 'baby-docker-runc');
const mountsBefore = hostMounts();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-oci-'));
const STATE_ROOT = path.join(scratch, 'state'); // --root: the tests' own, so nothing else's containers are in view
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

/** A config.json: baby-docker spec's, with three capabilities, a hostname, a /tmp and limits of the tests' own. */
function config(args: string[], changes: Record<string, unknown> = {}): Record<string, unknown> {
  const base = defaultBundleConfig() as { process: object; mounts: object[]; linux: object };
  const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
  return {
    ...base,
    process: {
      ...base.process,
      terminal: false,
      args,
      env: ['PATH=/bin', 'TERM=xterm'],
      capabilities: { bounding: caps, effective: caps, permitted: caps },
    },
    hostname: 'oci-box',
    mounts: [...base.mounts, { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] }],
    linux: { ...base.linux, resources: { memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 64 } } },
    ...changes,
  };
}

let bundles = 0;
/** A bundle: a fresh busybox rootfs and `spec` as its config.json. */
function bundle(spec: Record<string, unknown>, dir = path.join(scratch, `bundle-${++bundles}`)): string {
  busyboxTree(path.join(dir, 'rootfs'), ['sh', 'echo', 'cat', 'sleep', 'hostname', 'ls', 'touch', 'grep']);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
  return dir;
}

let calls = 0;
/** Run the runtime: its exit code, and what it wrote. Its stdout and stderr are files, as conmon gives them: the
 * container inherits create's, and pipes would stay open (and spawnSync waiting) for as long as it lives. */
function runc(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const files = ['out', 'err'].map((name) => path.join(scratch, `call-${++calls}.${name}`));
  const fds = files.map((file) => fs.openSync(file, 'w'));
  const r = spawnSync(RUNC, ['--root', STATE_ROOT, ...args], { stdio: ['ignore', fds[0]!, fds[1]!], timeout: 20_000 });
  fds.forEach((fd) => fs.closeSync(fd));
  const [stdout, stderr] = files.map((file) => fs.readFileSync(file, 'utf8'));
  return { code: r.status, stdout: stdout!, stderr: stderr! };
}

/** create, as conmon calls it: the container's stdio is create's, a file here (read once it has written), whose path
 * comes back. A failed create fails the test with what it wrote. */
function create(dir: string, id: string): string {
  const out = path.join(scratch, `${id}.out`);
  const fd = fs.openSync(out, 'w');
  const created = spawnSync(RUNC, ['--root', STATE_ROOT, 'create', '--bundle', dir, id], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  assert.equal(created.status, 0, fs.readFileSync(out, 'utf8'));
  return out;
}

function state(id: string): { status: string; pid: number; bundle: string; id: string; ociVersion: string } {
  const r = runc('state', id);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !condition(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what}`);
  }
}

describe('baby-docker-runc', () => {
  it('creates a container that waits, starts it, and reports created, running and stopped; delete removes its state and cgroup', async () => {
    const dir = bundle(config(['sleep', '0.5']));
    const pidFile = path.join(scratch, 'pid');
    const created = runc('create', '--bundle', dir, '--pid-file', pidFile, 'c1');
    assert.equal(created.code, 0, created.stderr);
    const s = state('c1');
    assert.deepEqual([s.id, s.status, s.bundle, s.ociVersion], ['c1', 'created', dir, '1.0.2']);
    assert.equal(Number(fs.readFileSync(pidFile, 'utf8')), s.pid);
    assert.equal(fs.readlinkSync(`/proc/${s.pid}/exe`).endsWith('baby-docker-runc'), true, "not exec'd before start");
    assert.equal(runc('start', 'c1').code, 0);
    assert.equal(state('c1').status, 'running');
    await until(() => state('c1').status === 'stopped', 'the container to end');
    assert.equal(state('c1').pid, 0);
    const deleted = runc('delete', 'c1');
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(fs.readdirSync(STATE_ROOT), []);
    assert.deepEqual(containerCgroups(), []);
    assert.match(runc('state', 'c1').stderr, /^baby-docker-runc: container c1 does not exist\n$/);
  });

  it('runs the process as the config says: PID 1, its hostname, a read-only root, its capabilities and rlimit, the masked paths', async () => {
    const script = [
      'echo "pid $$"',
      'hostname',
      'touch /x 2>/dev/null || echo "root read-only"',
      'grep -E "^Cap(Eff|Bnd)" /proc/self/status',
      'cat /proc/self/limits | grep "open files"',
      'cat /proc/timer_list | wc -c',
      'ls /sys/firmware | wc -l',
      '(echo 1 > /proc/sys/kernel/domainname) 2>/dev/null || echo "/proc/sys read-only"',
      'ls /dev',
    ].join('; ');
    const dir = bundle(config(['sh', '-c', script]));
    for (const applet of ['wc']) fs.symlinkSync('busybox', path.join(dir, 'rootfs', 'bin', applet));
    const out = create(dir, 'c2');
    assert.equal(runc('start', 'c2').code, 0);
    await until(() => state('c2').status === 'stopped', 'the container to end');
    assert.equal(runc('delete', 'c2').code, 0);
    const lines = fs.readFileSync(out, 'utf8').split('\n');
    assert.deepEqual(lines.slice(0, 3), ['pid 1', 'oci-box', 'root read-only']);
    assert.deepEqual(lines.slice(3, 5), ['CapEff:\t0000000020000420', 'CapBnd:\t0000000020000420']);
    assert.match(lines[5]!, /^Max open files\s+1024\s+1024\s+files/);
    assert.deepEqual(lines.slice(6, 9), ['0', '0', '/proc/sys read-only'], 'masked: a file empty, a directory empty; /proc/sys read-only');
    for (const device of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'shm', 'ptmx', 'fd'])
      assert.ok(lines.includes(device), `/dev/${device}`);
  });

  it('kills a running container with the signal given, refuses to delete a running one without --force, and deletes with it', async () => {
    const dir = bundle(config(['sleep', '60']));
    assert.equal(runc('create', '--bundle', dir, 'c3').code, 0);
    assert.equal(runc('start', 'c3').code, 0);
    const refused = runc('delete', 'c3');
    assert.deepEqual([refused.code, refused.stderr], [1, 'baby-docker-runc: container c3 is running: stop it first, or delete --force\n']);
    assert.equal(runc('kill', 'c3', 'KILL').code, 0);
    await until(() => state('c3').status === 'stopped', 'SIGKILL to end it');
    assert.equal(runc('delete', 'c3').code, 0);
    assert.equal(runc('create', '--bundle', dir, 'c4').code, 0);
    assert.equal(runc('start', 'c4').code, 0);
    assert.equal(runc('delete', '--force', 'c4').code, 0);
    assert.deepEqual([fs.readdirSync(STATE_ROOT), containerCgroups()], [[], []]);
    await until(() => containerProcesses().length === 0, 'the force-deleted container to be gone');
  });

  it("puts the container in the cgroup at its cgroupsPath with the config's limits, updates them, and removes it at delete", async () => {
    const spec = config(['sleep', '60']);
    const linux = spec.linux as Record<string, unknown>;
    linux.cgroupsPath = '/baby-docker-oci-test/c5';
    linux.resources = { pids: { limit: 42 }, memory: { limit: 32 * 1024 * 1024 } };
    const created = runc('create', '--bundle', bundle(spec), 'c5');
    assert.equal(created.code, 0, created.stderr);
    try {
      const pid = state('c5').pid;
      const v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
      const pidsDir = v2 ? '/sys/fs/cgroup/baby-docker-oci-test/c5' : '/sys/fs/cgroup/pids/baby-docker-oci-test/c5';
      assert.equal(fs.readFileSync(path.join(pidsDir, 'pids.max'), 'utf8').trim(), '42');
      assert.ok(fs.readFileSync(path.join(pidsDir, 'cgroup.procs'), 'utf8').split('\n').includes(String(pid)), 'its process is in it');
      const resources = path.join(scratch, 'resources.json');
      fs.writeFileSync(resources, JSON.stringify({ pids: { limit: 17 } }));
      const updated = runc('update', `--resources=${resources}`, 'c5');
      assert.equal(updated.code, 0, updated.stderr);
      assert.equal(fs.readFileSync(path.join(pidsDir, 'pids.max'), 'utf8').trim(), '17', 'update --resources writes the new limit');
      assert.equal(runc('delete', '--force', 'c5').code, 0);
      assert.equal(fs.existsSync(pidsDir), false, 'the cgroup goes with the container');
      // And the parent its path made, in every hierarchy (runc would leave it).
      assert.deepEqual(cgroupsNamed('baby-docker-oci-test'), []);
    } finally {
      runc('delete', '--force', 'c5');
    }
  });

  it("runs the config's hooks with the state on their stdin, each where and when the spec says; a failing poststart hook only warns", async () => {
    const dir = bundle(config(['echo', 'ran']));
    // Outside hooks write to the test's directory; the two run inside the container (createContainer before
    // pivot_root, where the host's paths still resolve; startContainer after it, from the container's /bin/sh) too.
    const hook = (name: string, sh = path.join(dir, 'rootfs', 'bin', 'sh')) => ({
      path: sh,
      args: ['sh', '-c', `cat > ${path.join(scratch, name)}`],
    });
    const spec = config(['echo', 'ran'], {
      annotations: { lab: 'hooks' },
      hooks: {
        prestart: [hook('prestart')],
        createRuntime: [hook('createRuntime')],
        createContainer: [hook('createContainer')],
        startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'grep -o \'"status":"[a-z]*"\'; echo "in $(hostname)"'] }],
        poststart: [{ path: '/bin/false' }, hook('poststart')],
        poststop: [hook('poststop')],
      },
    });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
    const out = create(dir, 'c6');
    const pid = state('c6').pid;
    for (const name of ['prestart', 'createRuntime', 'createContainer']) {
      const seen = JSON.parse(fs.readFileSync(path.join(scratch, name), 'utf8'));
      assert.deepEqual(seen, { ociVersion: '1.0.2', id: 'c6', status: 'created', pid, bundle: dir, annotations: { lab: 'hooks' } }, name);
    }
    assert.equal(fs.existsSync(path.join(scratch, 'poststart')), false, 'not before start');
    const started = runc('start', 'c6');
    assert.deepEqual([started.code, started.stderr], [0, 'baby-docker-runc: the poststart hook /bin/false exited with 1\n']);
    assert.equal(JSON.parse(fs.readFileSync(path.join(scratch, 'poststart'), 'utf8')).status, 'running');
    await until(() => state('c6').status === 'stopped', 'the container to end');
    assert.equal(runc('delete', 'c6').code, 0);
    assert.equal(JSON.parse(fs.readFileSync(path.join(scratch, 'poststop'), 'utf8')).status, 'stopped');
    assert.equal(fs.readFileSync(out, 'utf8'), '"status":"created"\nin oci-box\nran\n', 'startContainer inside, before the process');
  });

  it('execs into a running container (its namespaces, cgroup and process settings), pauses and resumes it, and lists its processes', async () => {
    const dir = bundle(config(['sleep', '60']));
    assert.equal(runc('create', '--bundle', dir, 'c7').code, 0);
    assert.equal(runc('start', 'c7').code, 0);
    try {
      // With the command after the id: the config's process settings, these args; runc waits and passes its exit code on.
      const seen = runc('exec', 'c7', 'sh', '-c', 'echo "$(hostname) $$"; grep CapEff /proc/self/status; exit 3');
      assert.deepEqual([seen.code, seen.stdout], [3, 'oci-box 2\nCapEff:\t0000000020000420\n']);
      // As podman and containerd call it: a process.json, detached, its PID in a file.
      const processFile = path.join(scratch, 'process.json');
      fs.writeFileSync(processFile, JSON.stringify({ args: ['sleep', '30'], env: ['PATH=/bin'], cwd: '/tmp', user: { uid: 1000, gid: 1000 } }));
      const pidFile = path.join(scratch, 'exec.pid');
      const detached = runc('exec', '--process', processFile, '--detach', '--pid-file', pidFile, 'c7');
      assert.equal(detached.code, 0, detached.stderr);
      const execPid = Number(fs.readFileSync(pidFile, 'utf8'));
      assert.equal(fs.readlinkSync(`/proc/${execPid}/ns/pid`), fs.readlinkSync(`/proc/${state('c7').pid}/ns/pid`));
      assert.equal(fs.readlinkSync(`/proc/${execPid}/cwd`), '/tmp');
      assert.match(fs.readFileSync(`/proc/${execPid}/status`, 'utf8'), /^Uid:\t1000\t/m);
      const ps = runc('ps', '--format', 'json', 'c7');
      assert.deepEqual((JSON.parse(ps.stdout) as number[]).sort(), [state('c7').pid, execPid].sort());
      assert.equal(runc('pause', 'c7').code, 0);
      assert.equal(state('c7').status, 'paused');
      assert.match(fs.readFileSync(`/proc/${execPid}/status`, 'utf8'), /^State:\s+[DS]/m);
      const refused = runc('exec', 'c7', 'true');
      assert.deepEqual([refused.code, refused.stderr], [1, 'baby-docker-runc: container c7 is paused: exec needs it running\n']);
      assert.equal(runc('resume', 'c7').code, 0);
      assert.equal(state('c7').status, 'running');
      const missing = runc('exec', 'c7', 'no-such-program');
      assert.deepEqual([missing.code, missing.stderr], [1, 'baby-docker-runc: exec no-such-program: ENOENT\n']);
    } finally {
      assert.equal(runc('delete', '--force', 'c7').code, 0);
    }
    await until(() => containerProcesses().length === 0, 'the container and its exec to be gone');
  });

  it('runs what baby-docker spec writes, and baby-docker run --bundle runs the same bundle', async () => {
    const dir = path.join(scratch, 'spec-bundle');
    busyboxTree(path.join(dir, 'rootfs'), ['sh', 'echo', 'hostname', 'cat']);
    const written = spawnSync(process.execPath, [CLI_PATH, 'spec'], { cwd: dir, encoding: 'utf8' });
    assert.equal(written.status, 0, written.stderr);
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    const again = spawnSync(process.execPath, [CLI_PATH, 'spec'], { cwd: dir, encoding: 'utf8' });
    assert.deepEqual([again.status, again.stderr], [125, 'baby-docker: config.json exists here already: remove it, or write the bundle elsewhere\n']);
    spec.process.terminal = false;
    spec.process.args = ['sh', '-c', 'echo "$(hostname) $GREETING"'];
    spec.process.env.push('GREETING=from-the-bundle');
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
    const out = create(dir, 'c8');
    assert.equal(runc('start', 'c8').code, 0);
    await until(() => state('c8').status === 'stopped', 'the container to end');
    assert.equal(runc('delete', 'c8').code, 0);
    assert.equal(fs.readFileSync(out, 'utf8'), 'baby-docker from-the-bundle\n');
    const run = spawnSync(process.execPath, [CLI_PATH, 'run', '--bundle', dir], { encoding: 'utf8' });
    assert.deepEqual([run.status, run.stdout], [0, 'baby-docker from-the-bundle\n'], run.stderr);
    const extra = spawnSync(process.execPath, [CLI_PATH, 'run', '--bundle', dir, 'sh'], { encoding: 'utf8' });
    assert.deepEqual([extra.status, extra.stderr], [125, 'baby-docker: --bundle gives the rootfs and the command: leave out sh\n']);
  });

  it("compiles the config's seccomp profile: errnoRet, conditions on arguments, calls this kernel lacks; exec'd processes get it too", async () => {
    const profile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [
        { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
        // Two conditions on one argument are alternatives: SIGUSR1 (10) or SIGUSR2 (12), not signal 0.
        {
          names: ['kill'],
          action: 'SCMP_ACT_ERRNO',
          args: [
            { index: 1, value: 10, op: 'SCMP_CMP_EQ' },
            { index: 1, value: 12, op: 'SCMP_CMP_EQ' },
          ],
        },
        { names: ['no_such_call_in_any_kernel', 'uname'], action: 'SCMP_ACT_ALLOW' },
      ],
    };
    const script =
      'mkdir /tmp/made; for s in USR1 USR2 0; do kill -$s $$ 2>/dev/null && echo "$s sent" || echo "$s refused"; done; touch /tmp/t && echo touched';
    const spec = config(['sh', '-c', `${script}; sleep 30`]);
    const dir = bundle({ ...spec, linux: { ...(spec.linux as object), seccomp: profile } });
    fs.symlinkSync('busybox', path.join(dir, 'rootfs', 'bin', 'mkdir'));
    const out = create(dir, 'c9');
    try {
      assert.equal(runc('start', 'c9').code, 0);
      await until(() => fs.readFileSync(out, 'utf8').includes('touched'), 'the script to run');
      assert.equal(
        fs.readFileSync(out, 'utf8'),
        "mkdir: can't create directory '/tmp/made': Permission denied\nUSR1 refused\nUSR2 refused\n0 sent\ntouched\n",
      );
      const processFile = path.join(scratch, 'c9-process.json');
      fs.writeFileSync(processFile, JSON.stringify({ args: ['mkdir', '/tmp/by-exec'], env: ['PATH=/bin'], cwd: '/' }));
      const exec = runc('exec', '--process', processFile, 'c9');
      assert.deepEqual([exec.code, exec.stderr], [1, "mkdir: can't create directory '/tmp/by-exec': Permission denied\n"]);
    } finally {
      assert.equal(runc('delete', '--force', 'c9').code, 0);
    }
  });

  it("runs the container in a user namespace of its own (ids mapped as the config says, the host's files out of its root's reach), or joins one by path", async () => {
    const script =
      'cat /proc/self/uid_map /proc/self/gid_map; id -u; cat /secret 2>/dev/null || echo "secret refused"; touch /made-inside /tmp/t; echo > /dev/null && echo "null written"; sleep 30';
    const spec = config(['sh', '-c', script]);
    const linux = spec.linux as { namespaces: object[] };
    const maps = [{ containerID: 0, hostID: 100000, size: 65536 }];
    // On a tmpfs of its own: the files' owners are the kernel's (the cgroup v2 guest's / is hostfs, which keeps none).
    const dir = path.join(scratch, 'userns-bundle');
    fs.mkdirSync(dir);
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'bundle', dir]).status, 0);
    try {
      bundle(
        {
          ...spec,
          root: { path: 'rootfs', readonly: false },
          linux: { ...linux, namespaces: [...linux.namespaces, { type: 'user' }], uidMappings: maps, gidMappings: maps },
        },
        dir,
      );
      fs.symlinkSync('busybox', path.join(dir, 'rootfs', 'bin', 'id'));
      // The rootfs is the container root's (as podman --userns chowns it), but for one file of the host's root.
      const chown = (file: string): void => {
        fs.lchownSync(file, 100000, 100000);
        if (fs.lstatSync(file).isDirectory()) for (const entry of fs.readdirSync(file)) chown(path.join(file, entry));
      };
      chown(path.join(dir, 'rootfs'));
      fs.writeFileSync(path.join(dir, 'rootfs', 'secret'), "the host root's\n", { mode: 0o600 });
      const out = create(dir, 'c12');
      const started = runc('start', 'c12');
      assert.equal(started.code, 0, started.stderr + fs.readFileSync(out, 'utf8'));
      await until(() => fs.readFileSync(out, 'utf8').includes('null written'), 'the script to run');
      const map = '         0     100000      65536\n';
      assert.equal(fs.readFileSync(out, 'utf8'), `${map}${map}0\nsecret refused\nnull written\n`);
      assert.equal(fs.statSync(path.join(dir, 'rootfs', 'made-inside')).uid, 100000, "a file root makes inside is 100000's on the host");
      const pid = state('c12').pid;
      assert.match(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), /^Uid:\t100000\t100000\t100000\t100000$/m, 'root inside is 100000 on the host');
      assert.notEqual(fs.readlinkSync(`/proc/${pid}/ns/user`), fs.readlinkSync('/proc/self/ns/user'));
      const seen = runc('exec', 'c12', 'sh', '-c', 'id -u; cat /proc/self/uid_map');
      assert.deepEqual([seen.code, seen.stdout], [0, `0\n${map}`], seen.stderr);
      // A second container joins that user namespace by path (as a pod's containers join its sandbox's): its own
      // namespaces are made inside it, and its root is the same host id.
      const joinedNs = `/proc/${pid}/ns/user`;
      const second = config(['sh', '-c', 'cat /proc/self/uid_map; id -u; sleep 30']);
      const secondLinux = second.linux as { namespaces: object[] };
      const secondDir = bundle(
        { ...second, linux: { ...secondLinux, namespaces: [...secondLinux.namespaces, { type: 'user', path: joinedNs }] } },
        path.join(dir, 'second'),
      );
      fs.symlinkSync('busybox', path.join(secondDir, 'rootfs', 'bin', 'id'));
      chown(path.join(secondDir, 'rootfs'));
      const secondOut = create(secondDir, 'c13');
      assert.equal(runc('start', 'c13').code, 0);
      await until(() => fs.readFileSync(secondOut, 'utf8').includes('\n0\n'), 'the second container to run');
      assert.equal(fs.readFileSync(secondOut, 'utf8'), `${map}0\n`);
      const secondPid = state('c13').pid;
      assert.equal(fs.readlinkSync(`/proc/${secondPid}/ns/user`), fs.readlinkSync(joinedNs));
      assert.notEqual(fs.readlinkSync(`/proc/${secondPid}/ns/pid`), fs.readlinkSync(`/proc/${pid}/ns/pid`));
      assert.match(fs.readFileSync(`/proc/${secondPid}/status`, 'utf8'), /^Uid:\t100000\t/m);
      assert.equal(runc('delete', '--force', 'c13').code, 0);
      assert.equal(runc('delete', '--force', 'c12').code, 0);
    } finally {
      for (const id of ['c13', 'c12']) if (fs.existsSync(path.join(STATE_ROOT, id))) runc('delete', '--force', id);
      spawnSync('umount', [dir]);
    }
  });

  it("makes the config's devices, and never through a link the rootfs holds at a device's path", () => {
    const victim = path.join(scratch, 'victim');
    fs.writeFileSync(victim, 'host file\n', { mode: 0o600 });
    const spec = config(['true']);
    const device = { path: '/etc/null-link', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 };
    const dir = bundle({ ...spec, linux: { ...(spec.linux as object), devices: [device] } });
    fs.mkdirSync(path.join(dir, 'rootfs', 'etc'));
    fs.symlinkSync(victim, path.join(dir, 'rootfs', 'etc', 'null-link')); // absolute: before pivot_root it names the host's file
    const r = runc('create', '--bundle', dir, 'c11');
    if (r.code === 0) runc('delete', '--force', 'c11'); // made after all: not left behind by the failing test
    assert.deepEqual([r.code, r.stderr], [1, 'baby-docker-runc: linux.devices: /etc/null-link is there already, and is not that device\n']);
    assert.equal(fs.statSync(victim).mode & 0o777, 0o600, "the host file's mode is untouched");
    assert.equal(fs.readlinkSync(path.join(dir, 'rootfs', 'etc', 'null-link')), victim);
  });

  it('keeps the container to its device rules (v1: devices.allow and deny; v2: an eBPF program), and update --resources replaces them', () => {
    const spec = config(['sleep', '60']);
    const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_MKNOD'];
    const processSpec = { ...(spec.process as object), capabilities: { bounding: caps, effective: caps, permitted: caps } };
    const denyAll = { allow: false, access: 'rwm' };
    const resources = (devices: object[]) => ({ ...(spec.linux as { resources: object }).resources, devices });
    // Deny all, then allow a few: /dev/null (always allowed anyway) and /dev/net/tun; not /dev/kmsg (1:11).
    const linux = {
      ...(spec.linux as object),
      resources: resources([
        denyAll,
        { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
        { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
      ]),
    };
    const dir = bundle({ ...spec, process: processSpec, linux });
    fs.symlinkSync('busybox', path.join(dir, 'rootfs', 'bin', 'mknod'));
    const created = runc('create', '--bundle', dir, 'c12');
    assert.equal(created.code, 0, created.stderr);
    try {
      assert.equal(runc('start', 'c12').code, 0);
      // Making a node is allowed for every device (as runc allows it); opening /dev/kmsg write-only needs no
      // capability of its driver, so an EPERM there is the cgroup's.
      const made = runc('exec', 'c12', 'mknod', '/dev/kmsg', 'c', '1', '11');
      assert.equal(made.code, 0, made.stderr);
      const opens = () => runc('exec', 'c12', 'sh', '-c', 'for d in null kmsg; do (: > /dev/$d) 2>&1 && echo "$d: opened"; done').stdout;
      assert.equal(opens(), "null: opened\nsh: can't create /dev/kmsg: Operation not permitted\n");
      const update = (devices: object[]) => {
        const file = path.join(scratch, 'devices.json');
        fs.writeFileSync(file, JSON.stringify({ devices }));
        const r = runc('update', '--resources', file, 'c12');
        assert.equal(r.code, 0, r.stderr);
      };
      update([denyAll, { allow: true, type: 'c', major: 1, minor: 11, access: 'w' }]);
      assert.equal(opens(), 'null: opened\nkmsg: opened\n', 'the new rules allow it (and the old ones are gone)');
      update([denyAll]);
      assert.equal(opens(), "null: opened\nsh: can't create /dev/kmsg: Operation not permitted\n", 'and deny it again');
    } finally {
      assert.equal(runc('delete', '--force', 'c12').code, 0);
    }
    assert.deepEqual(containerCgroups(), []);
  });

  it('refuses a bad config with one line naming the field, leaving nothing behind', () => {
    const cases: [Record<string, unknown>, string][] = [
      [config(['true'], { ociVersion: '2.0.0' }), 'config.json: ociVersion 2.0.0: this runtime takes runtime-spec 1.x'],
      [config([]), 'config.json: process.args is empty: give the command to run'],
      [config(['true'], { hostname: 7 }), 'config.json: hostname is not a string'],
      [
        config(['true'], { linux: { namespaces: [{ type: 'mount' }], uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] } }),
        'config.json: linux.uidMappings/gidMappings are for a user namespace: add {"type": "user"} to linux.namespaces',
      ],
      [
        config(['true'], { linux: { namespaces: [{ type: 'mount' }, { type: 'user' }] } }),
        'config.json: a new user namespace needs linux.uidMappings and linux.gidMappings',
      ],
      [
        config(['true'], {
          linux: {
            namespaces: [{ type: 'mount' }, { type: 'user', path: '/proc/1/ns/user' }],
            uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
          },
        }),
        'config.json: linux.uidMappings/gidMappings are for a new user namespace, not one joined (/proc/1/ns/user)',
      ],
      [
        config(['true'], { linux: { seccomp: { defaultAction: 'SCMP_ACT_NOTIFY' } } }),
        'config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY (a seccomp agent) is not supported',
      ],
      [
        config(['true'], {
          linux: {
            seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, op: 'LIKE' }] }] },
          },
        }),
        'config.json: linux.seccomp.syscalls[0].args[0]: unknown op LIKE',
      ],
    ];
    for (const [spec, message] of cases) {
      const r = runc('create', '--bundle', bundle(spec), 'bad');
      assert.deepEqual([r.code, r.stderr], [1, `baby-docker-runc: ${message}\n`]);
      assert.deepEqual([fs.existsSync(path.join(STATE_ROOT, 'bad')), containerCgroups()], [false, []]);
    }
    const missing = runc('start', 'nothing-here');
    assert.deepEqual([missing.code, missing.stderr], [1, 'baby-docker-runc: container nothing-here does not exist\n']);
  });
});
