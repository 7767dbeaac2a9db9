/** baby-docker-runc driven by real engines: Debian's podman (through conmon) and containerd (through its runc v2
 * shim, with `ctr run --runc-binary`), each with private storage, config and state in a directory of the test's, a
 * local image of a busybox rootfs (no network), and no network of their own for the containers (--network none,
 * containerd's default). */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { assertNothingLeft, busyboxTree, cgroupsNamed, containerProcesses, hostMounts } from './helpers.js';
import { privatePodman, type PrivatePodman } from './podman.js';

const RUNC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'Release', 'baby-docker-runc');
const mountsBefore = hostMounts();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-engines-'));
after(() => assertNothingLeft(mountsBefore));
const IMAGE_TREE = busyboxTree(path.join(scratch, 'busybox'), ['sh', 'echo', 'sleep', 'tty', 'cat', 'true', 'grep']);

function check(result: SpawnSyncReturns<string>, what: string): string {
  assert.equal(result.status, 0, `${what}: ${result.stderr}`);
  return result.stdout;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 15_000; !condition(); await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what}`);
  }
}

describe('podman with --runtime baby-docker-runc', () => {
  let engine: PrivatePodman;
  const podman = (...args: string[]) => engine.run(RUNC, ...args);
  before(() => {
    engine = privatePodman(path.join(scratch, 'podman'), IMAGE_TREE);
  });
  after(() => engine.remove());

  it("runs a command under podman's seccomp profile and removes the container (run --rm), with a terminal too (run -t: the pty of its own devpts)", () => {
    assert.equal(check(podman('run', '--rm', '--network', 'none', 'localhost/bb:1', 'echo', 'hi'), 'run'), 'hi\n');
    // Under podman's own seccomp profile (an allow-list, compiled by the runtime): mode 2 is a filter.
    assert.equal(
      check(podman('run', '--rm', '--network', 'none', 'localhost/bb:1', 'grep', 'Seccomp:', '/proc/self/status'), 'run'),
      'Seccomp:\t2\n',
    );
    assert.equal(
      check(podman('run', '--rm', '-t', '--network', 'none', 'localhost/bb:1', 'sh', '-c', 'tty; echo hi-tty'), 'run -t'),
      '/dev/pts/0\r\nhi-tty\r\n',
    );
    const failed = podman('run', '--rm', '--network', 'none', 'localhost/bb:1', 'sh', '-c', 'exit 3');
    assert.equal(failed.status, 3, 'the exit code comes through');
  });

  it('execs into a running container, with and without a terminal, pauses and unpauses it, updates its limits, and stops and removes it', async () => {
    check(podman('run', '-d', '--name', 'e1', '--network', 'none', 'localhost/bb:1', 'sleep', '1000'), 'run -d');
    assert.equal(check(podman('exec', 'e1', 'echo', 'from-exec'), 'exec'), 'from-exec\n');
    assert.equal(check(podman('exec', '-t', 'e1', 'tty'), 'exec -t'), '/dev/pts/0\r\n');
    check(podman('pause', 'e1'), 'pause');
    assert.equal(check(podman('inspect', '--format', '{{.State.Status}}', 'e1'), 'inspect'), 'paused\n');
    check(podman('unpause', 'e1'), 'unpause');
    check(podman('update', '--memory', '64m', 'e1'), 'update');
    assert.equal(check(podman('inspect', '--format', '{{.State.Status}}', 'e1'), 'inspect'), 'running\n');
    check(podman('kill', '-s', 'KILL', 'e1'), 'kill');
    // podman says "stopped" until conmon has reaped it and reported its exit.
    await until(() => podman('inspect', '--format', '{{.State.Status}}', 'e1').stdout === 'exited\n', 'podman to see it exited');
    check(podman('start', 'e1'), 'start again');
    check(podman('stop', '-t', '1', 'e1'), 'stop'); // sleep as PID 1 shrugs off SIGTERM: SIGKILL after 1 s
    check(podman('rm', '-f', 'e1'), 'rm -f');
    assert.equal(podman('ps', '-a', '-q').stdout, '');
    await until(() => containerProcesses().length === 0, 'the containers to be gone');
  });
});

describe('containerd (ctr run --runc-binary baby-docker-runc)', () => {
  const dir = path.join(scratch, 'containerd');
  const socket = path.join(dir, 'containerd.sock');
  let daemon: ReturnType<typeof spawn> | undefined;
  const ctr = (...args: string[]) =>
    spawnSync('ctr', ['--address', socket, '--namespace', 'bd-test', ...args], { encoding: 'utf8', timeout: 60_000 });

  before(async () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'config.toml'),
      [
        'version = 2',
        `root = "${dir}/root"`,
        `state = "${dir}/state"`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = "${socket}"`,
        '[ttrpc]',
        `  address = "${socket}.ttrpc"`,
        '',
      ].join('\n'),
    );
    daemon = spawn('containerd', ['--config', path.join(dir, 'config.toml')], {
      stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'log'), 'w')],
    });
    await until(() => fs.existsSync(socket) && ctr('version').status === 0, 'containerd to listen');
    // An OCI image archive of the busybox tree, made by podman-less means: ctr imports a rootfs tar as an image.
    const layer = path.join(dir, 'layer.tar');
    check(spawnSync('tar', ['-C', IMAGE_TREE, '-cf', layer, '.'], { encoding: 'utf8' }), 'tar');
    check(spawnSync('sh', ['-c', `${makeOciArchive(dir, layer)}`], { encoding: 'utf8' }), 'image archive');
    check(ctr('images', 'import', path.join(dir, 'image.tar')), 'ctr images import');
  });

  after(async () => {
    for (const task of ['d1']) {
      ctr('tasks', 'kill', '-s', 'KILL', task);
      ctr('tasks', 'delete', '-f', task);
      ctr('containers', 'delete', task);
    }
    ctr('images', 'remove', 'localhost/bb:1');
    daemon?.kill('SIGTERM');
    if (daemon && daemon.exitCode === null) await new Promise((resolve) => daemon!.once('exit', resolve));
    spawnSync('sh', ['-c', `grep -o " ${dir}[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l`]);
    fs.rmSync('/run/containerd/runc/bd-test', { recursive: true, force: true }); // the shim's --root for our namespace
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('runs a task, execs into it, kills and deletes it', async () => {
    assert.equal(check(ctr('run', '--rm', '--runc-binary', RUNC, 'localhost/bb:1', 'r1', 'echo', 'hi'), 'ctr run'), 'hi\n');
    check(ctr('run', '-d', '--runc-binary', RUNC, 'localhost/bb:1', 'd1', 'sleep', '1000'), 'ctr run -d');
    assert.equal(check(ctr('tasks', 'exec', '--exec-id', 'x1', 'd1', 'echo', 'from-exec'), 'ctr tasks exec'), 'from-exec\n');
    check(ctr('tasks', 'kill', '-s', 'KILL', 'd1'), 'ctr tasks kill');
    await until(() => /STOPPED/.test(ctr('tasks', 'ls').stdout), 'the task to stop');
    check(ctr('tasks', 'delete', 'd1'), 'ctr tasks delete');
    check(ctr('containers', 'delete', 'd1'), 'ctr containers delete');
    await until(() => containerProcesses().length === 0, 'the containers to be gone');
    // containerd's cgroupsPath is /<namespace>/<id>: the parent goes with the namespace's last container.
    assert.deepEqual(cgroupsNamed('bd-test'), []);
  });
});

/** A shell command that writes dir/image.tar: an OCI image archive of one layer (the tar at `layer`), named
 * localhost/bb:1, built from its parts (sha256sum, tar). */
function makeOciArchive(dir: string, layer: string): string {
  return `set -e; cd ${dir}; rm -rf oci; mkdir -p oci/blobs/sha256
layer=$(sha256sum ${layer} | cut -d' ' -f1); cp ${layer} oci/blobs/sha256/$layer; size=$(stat -c %s ${layer})
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' $layer > config.json
config=$(sha256sum config.json | cut -d' ' -f1); mv config.json oci/blobs/sha256/$config; csize=$(stat -c %s oci/blobs/sha256/$config)
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' $config $csize $layer $size > manifest.json
manifest=$(sha256sum manifest.json | cut -d' ' -f1); msize=$(stat -c %s manifest.json); mv manifest.json oci/blobs/sha256/$manifest
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"localhost/bb:1","org.opencontainers.image.ref.name":"1"}}]}' $manifest $msize > oci/index.json
printf '{"imageLayoutVersion":"1.0.0"}' > oci/oci-layout
tar -C oci -cf image.tar .`;
}
