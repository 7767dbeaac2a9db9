/** A fresh layer per run, on real containers: writes never reach the rootfs or a later run, --disk bounds them, --keep keeps them. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { start } from '../src/runtime/container.js';
import { keptLayerPath, removeKeptLayer } from '../src/runtime/layer.js';
import { LAYERS_DIR } from '../src/runtime/paths.js';
import { assertNothingLeft, busyboxTree, hostMounts, layerLoopDevices, runCli, runInContainer } from './helpers.js';

const mountsBefore = hostMounts();
let rootfs: string;
/** Every file of a tree with its size and mode, to compare before and after. */
function listing(dir: string): string {
  return spawnSync('find', [dir, '-printf', '%P %y %m %s %l\n'], { encoding: 'utf8' }).stdout.split('\n').sort().join('\n');
}

before(() => {
  // A tree of our own, so that a failure here cannot spoil the default rootfs for the other tests.
  rootfs = busyboxTree(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-')), ['sh', 'cat', 'echo', 'rm', 'dd', 'df', 'ls', 'sleep', 'mkdir', 'chmod']);
  fs.mkdirSync(path.join(rootfs, 'etc'));
  fs.writeFileSync(path.join(rootfs, 'etc', 'motd'), 'from the rootfs\n');
});
after(() => {
  fs.rmSync(rootfs, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

describe('a layer per run', () => {
  it("a run's writes, deletions and mode changes never reach the rootfs directory or a later run", async () => {
    const before = listing(rootfs);
    const first = await runInContainer(
      ['sh', '-c', 'echo mine > /new; echo changed > /etc/motd; rm /bin/ls; chmod 700 /etc; mkdir -p /a/b; cat /etc/motd'],
      { rootfs },
    );
    assert.deepEqual([first.code, first.stdout], [0, 'changed\n'], first.stderr);
    assert.equal(listing(rootfs), before, 'the rootfs directory changed');
    assert.equal(fs.readFileSync(path.join(rootfs, 'etc', 'motd'), 'utf8'), 'from the rootfs\n');
    const second = await runInContainer(['sh', '-c', 'cat /etc/motd; ls /new /a 2>&1; ls -d /bin/ls'], { rootfs });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^from the rootfs\nls: \/new: No such file or directory\nls: \/a: No such file or directory\n\/bin\/ls\n$/);
  });

  it('the layer is an overlay over the rootfs, on a filesystem of its own; / keeps the rootfs owner and mode', async () => {
    fs.chmodSync(rootfs, 0o751);
    const result = await runInContainer(['sh', '-c', 'cat /proc/self/mounts | grep " / "; ls -ld / | cut -c1-10'], { rootfs });
    fs.chmodSync(rootfs, 0o755);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^overlay \/ overlay rw,.*lowerdir=.*upperdir=/);
    assert.match(result.stdout, /\ndrwxr-x--x\n$/);
  });

  it('--disk bounds what a run writes: ENOSPC inside, and the host gives the layer at most that much', async () => {
    const disk = 32 * 1024 * 1024;
    const container = await start({
      rootfs,
      command: ['sh', '-c', 'dd if=/dev/zero of=/fill bs=1M count=100; echo status $?; df -k / | tail -1; echo full; sleep 30'],
      disk: '32m',
      keep: true,
    });
    container.stdin?.end();
    let output = '';
    const full = new Promise<void>((resolve) => {
      container.stdout?.setEncoding('utf8').on('data', (data: string) => {
        output += data;
        if (output.includes('full\n')) resolve();
      });
    });
    container.stderr?.setEncoding('utf8').on('data', (data: string) => (output += data));
    try {
      await full;
      assert.match(output, /No space left on device/);
      assert.match(output, /status 1\n/);
      const sizeKiB = Number(/\n\S+\s+(\d+)\s+\d+\s+\d+/.exec(output)?.[1]);
      assert.ok(sizeKiB <= disk / 1024 && sizeKiB > disk / 1024 / 2, `df inside says / is ${sizeKiB} KiB`);
      // What the host gives: the layer file's blocks, held while the container holds its data.
      const used = fs.statSync(keptLayerPath(container.id)).blocks * 512;
      assert.ok(used <= disk, `the layer takes ${used} bytes of the host's disk, over the ${disk} asked for`);
      assert.ok(used > disk / 2, `the layer takes only ${used} bytes: was the file written at all?`);
    } finally {
      container.signal('SIGKILL');
      await container.wait();
      removeKeptLayer(container.id);
    }
  });

  it('--keep keeps the layer, --on-layer goes on in it (one run at a time), rm removes it', () => {
    const kept = runCli(['run', '--keep', rootfs, 'sh', '-c', 'echo one > /kept; rm /etc/motd']);
    assert.equal(kept.status, 0, kept.stderr);
    const id = /--on-layer ([0-9a-f]+) /.exec(kept.stderr)?.[1] ?? '';
    assert.ok(fs.existsSync(keptLayerPath(id)), kept.stderr);
    try {
      const again = runCli(['run', '--on-layer', id, rootfs, 'sh', '-c', 'cat /kept; ls /etc/motd 2>&1; echo two >> /kept']);
      assert.deepEqual([again.status, again.stdout], [0, 'one\nls: /etc/motd: No such file or directory\n'], again.stderr);
      const third = runCli(['run', '--on-layer', id, rootfs, 'cat', '/kept']);
      assert.deepEqual([third.status, third.stdout], [0, 'one\ntwo\n'], third.stderr);
      const fresh = runCli(['run', rootfs, 'cat', '/kept']);
      assert.equal(fresh.status, 1);
      assert.equal(fs.existsSync(path.join(rootfs, 'kept')), false);
    } finally {
      const removed = runCli(['rm', id]);
      assert.deepEqual([removed.status, removed.stdout], [0, `${id}\n`], removed.stderr);
    }
    assert.equal(fs.existsSync(keptLayerPath(id)), false);
    const gone = runCli(['rm', id]);
    assert.deepEqual([gone.status, gone.stderr], [125, `baby-docker: no kept layer of run ${id}: only a run started with --keep leaves one\n`]);
  });

  it('a kept layer in use by a running container is refused to a second run', async () => {
    const first = await start({ rootfs, command: ['sleep', '30'], keep: true });
    try {
      const second = runCli(['run', '--on-layer', first.id, rootfs, 'true']);
      assert.deepEqual(
        [second.status, second.stderr],
        [125, `baby-docker: layer ${keptLayerPath(first.id)} is in use by a running container: wait for it to end\n`],
      );
    } finally {
      first.signal('SIGKILL');
      await first.wait();
      removeKeptLayer(first.id);
    }
  });

  it('--rootfs-rw writes into the rootfs itself, with a warning; bad --disk and --on-layer get one-line errors', () => {
    const rw = runCli(['run', '--rootfs-rw', rootfs, 'sh', '-c', 'echo direct > /direct']);
    try {
      assert.equal(rw.status, 0, rw.stderr);
      assert.match(rw.stderr, /warning: --rootfs-rw: this run writes into the rootfs directory itself/);
      assert.equal(fs.readFileSync(path.join(rootfs, 'direct'), 'utf8'), 'direct\n');
    } finally {
      fs.rmSync(path.join(rootfs, 'direct'), { force: true });
    }
    const small = runCli(['run', '--disk', '1m', rootfs, 'true']);
    assert.deepEqual([small.status, small.stderr], [125, 'baby-docker: disk size "1m" is too small: use at least 16m\n']);
    const both = runCli(['run', '--rootfs-rw', '--keep', rootfs, 'true']);
    assert.deepEqual(
      [both.status, both.stderr],
      [125, 'baby-docker: --rootfs-rw writes into the rootfs itself: it has no layer for --keep or --disk\n'],
    );
    const unknown = runCli(['run', '--on-layer', '../x', rootfs, 'true']);
    assert.deepEqual([unknown.status, unknown.stderr], [125, 'baby-docker: no kept layer of run ../x: only a run started with --keep leaves one\n']);
    assert.deepEqual(layerLoopDevices(), [], 'a loop device still holds a layer');
    assert.deepEqual(
      fs.readdirSync(LAYERS_DIR).filter((name) => !name.startsWith('template-')),
      [],
      'a layer file was left',
    );
  });
});
