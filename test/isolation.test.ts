/** Each namespace really isolates: every test runs a real container and looks from both sides. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { start } from '../src/runtime/container.js';
import { assertNothingLeft, hostMounts, ROOTFS, runInContainer } from './helpers.js';

const mountsBefore = hostMounts();
after(() => assertNothingLeft(mountsBefore));

const sh = (script: string) => runInContainer(['/bin/sh', '-c', script]);

describe('PID namespace', () => {
  it('runs the command as PID 1', async () => {
    const result = await sh('echo $$');
    assert.equal(result.stdout, '1\n');
  });

  it('shows only the container processes in ps', async () => {
    const result = await sh('ps -e -o pid=,comm=');
    const processes = result.stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    assert.deepEqual(processes, [
      ['1', 'sh'],
      [processes[1][0], 'ps'],
    ]);
    assert.ok(Number(processes[1][0]) < 10, `ps has a small PID inside: ${processes[1][0]}`);
  });

  it('gives /proc/1/root as the container root and namespaces of its own', async () => {
    const result = await sh(
      'ls /proc/1/root; readlink /proc/self/ns/pid /proc/self/ns/mnt /proc/self/ns/net /proc/self/ns/uts /proc/self/ns/ipc /proc/self/ns/cgroup',
    );
    const links = result.stdout.trim().split('\n').slice(-6);
    const own = ['pid', 'mnt', 'net', 'uts', 'ipc', 'cgroup'].map((ns) => fs.readlinkSync(`/proc/self/ns/${ns}`));
    links.forEach((link, i) => assert.notEqual(link, own[i], `${link} is the host's namespace`));
    assert.match(result.stdout, /^bin$/m);
  });
});

describe('UTS namespace', () => {
  it("reads a running container's hostname from the host, and this process's own stays as it was", async () => {
    const before = os.hostname();
    const container = await start({ rootfs: ROOTFS, command: ['sleep', '30'], hostname: 'lab1' });
    try {
      for (let i = 0; i < 3; i++) assert.equal(container.stats().hostname, 'lab1');
      assert.equal(os.hostname(), before, "the read joins the container's UTS namespace only for the moment it reads");
    } finally {
      container.kill();
      await container.wait();
    }
  });

  it('sets the hostname inside and leaves the host unchanged', async () => {
    const before = os.hostname();
    // Changing it takes CAP_SYS_ADMIN, as in Docker: added here, the UTS namespace is what is shown.
    const result = await runInContainer(['/bin/sh', '-c', 'hostname; hostname changed-inside; hostname'], {
      hostname: 'lab1',
      capAdd: ['SYS_ADMIN'],
    });
    assert.equal(result.stdout, 'lab1\nchanged-inside\n');
    assert.equal(os.hostname(), before);
  });

  it('defaults the hostname to the container id', async () => {
    const result = await sh('hostname');
    assert.match(result.stdout, /^[0-9a-f]{12}\n$/);
  });
});

describe('mount namespace and root filesystem', () => {
  it('shows only the rootfs at /', async () => {
    const result = await sh('ls -A /');
    const expected = fs.readdirSync(ROOTFS).sort();
    assert.deepEqual(result.stdout.trim().split('\n').sort(), expected);
  });

  it('keeps a mount made inside invisible on the host', async () => {
    const result = await runInContainer(
      ['/bin/sh', '-c', 'mount -t tmpfs scratch /tmp && echo secret > /tmp/inside && grep -c " /tmp tmpfs" /proc/mounts'],
      { capAdd: ['SYS_ADMIN'] }, // mounting takes it, as in Docker
    );
    assert.equal(result.stdout, '1\n', result.stderr);
    assert.equal(hostMounts(), mountsBefore);
    assert.equal(fs.existsSync(path.join(ROOTFS, 'tmp', 'inside')), false);
  });

  it('mounts /proc, /dev and a read-only /sys', async () => {
    const result = await sh('cat /proc/self/mounts; echo x > /sys/kernel/x 2>&1 || echo sys-read-only; ls /dev');
    assert.match(result.stdout, /^proc \/proc proc /m);
    assert.match(result.stdout, /^devpts \/dev\/pts devpts /m);
    assert.match(result.stdout, /^sysfs \/sys sysfs ro,/m);
    assert.match(result.stdout, /sys-read-only/);
    for (const node of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'pts', 'shm']) {
      assert.match(result.stdout, new RegExp(`^${node}$`, 'm'));
    }
  });

  it('passes only fds 0-2 to the command', async () => {
    const result = await sh('ls /proc/$$/fd');
    assert.equal(result.stdout, '0\n1\n2\n');
  });
});

describe('network namespace', () => {
  it('has only lo with --network none, and it is up', async () => {
    const result = await runInContainer(['ip', '-o', 'link'], { network: 'none' });
    const links = result.stdout.trim().split('\n');
    assert.equal(links.length, 1, result.stdout);
    assert.match(links[0], /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
  });

  it("has lo and eth0 of its own by default (the bridge), none of the host's", async () => {
    const result = await sh('ip -o link | cut -d: -f2 | cut -d@ -f1');
    assert.deepEqual(
      result.stdout
        .split('\n')
        .map((name) => name.trim())
        .filter(Boolean),
      ['lo', 'eth0'],
    );
  });
});

describe('IPC namespace', () => {
  it('hides the host SysV shared memory', async () => {
    const id = execFileSync('ipcmk', ['-M', '4096'], { encoding: 'utf8' }).match(/(\d+)/)![1];
    try {
      assert.match(execFileSync('ipcs', ['-m'], { encoding: 'utf8' }), new RegExp(`\\b${id}\\b`));
      const result = await sh('ipcs -m');
      assert.doesNotMatch(result.stdout, new RegExp(`\\b${id}\\b`));
      assert.doesNotMatch(result.stdout, /^0x/m, 'no segment at all inside');
    } finally {
      execFileSync('ipcrm', ['-m', id]);
    }
  });
});

describe('exec into a running container', () => {
  it('runs a command in its namespaces, cgroup and root, with its capabilities, as often as asked', async () => {
    const container = await start({ rootfs: ROOTFS, command: ['sleep', '30'], hostname: 'lab1' });
    try {
      const inside = await container.exec(['/bin/sh', '-c', 'hostname; echo $$; ls /; grep CapEff /proc/self/status']);
      assert.equal(inside.code, 0, inside.stderr);
      const [hostname, pid] = inside.stdout.split('\n');
      assert.equal(hostname, 'lab1');
      assert.ok(Number(pid) > 1 && Number(pid) < 10, `PID ${pid} inside the container's PID namespace`);
      assert.match(inside.stdout, /^bin$/m);
      assert.match(inside.stdout, /^CapEff:\s+00000000a00425fb$/m);
      // In the container's own cgroup: the root of its cgroup namespace (v1 pids line, or v2's single line).
      const cgroup = await container.exec(['cat', '/proc/self/cgroup']);
      assert.match(cgroup.stdout, /^\d+:(pids)?:\/$/m);
      const missing = await container.exec(['no-such-command']);
      assert.equal(missing.code, 127);
      assert.match(missing.error ?? '', /^command not found in the rootfs: no-such-command/);
    } finally {
      container.kill();
      await container.wait();
    }
    await assert.rejects(container.exec(['true']), /has exited/);
  });
});
