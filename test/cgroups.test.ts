/**
 * Where a container's cgroup goes and what it holds, on whatever layout this
 * kernel has: run on the host (cgroup v1 / hybrid here) and, by `npm test`,
 * in a pure cgroup v2 guest twice, from the root cgroup and from a login
 * session's scope that holds processes (test/cgv2/run.sh).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { start } from '../src/runtime/container.js';
import { addon, PROBE_PATH } from '../src/runtime/native.js';
import { assertNothingLeft, CLI_PATH, hostMounts, ROOTFS, runCli, runInContainer } from './helpers.js';
import { TuiDriver } from './tui-driver.js';

const mountsBefore = hostMounts();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-cgroups-'));
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  assertNothingLeft(mountsBefore);
});

/** A rootfs of one static program, at /bin/NAME, with links to it. */
function staticRootfs(name: string, program: string, links: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(scratch, `${name}-`));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.copyFileSync(program, path.join(dir, 'bin', name));
  fs.chmodSync(path.join(dir, 'bin', name), 0o755);
  for (const link of links) fs.symlinkSync(name, path.join(dir, 'bin', link));
  return dir;
}

const MiB = 1024 * 1024;
const v2 = addon().cgroupMode() === 'v2';

/** Our own cgroup in the hierarchy of `controller` (v1), or the unified one. */
function ownCgroup(controller?: string): string {
  const lines = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  const line = lines.find((l) => (controller ? l.split(':')[1]!.split(',').includes(controller) : l.startsWith('0::')));
  assert.ok(line, `no ${controller ?? 'unified'} line in /proc/self/cgroup`);
  return line.split(':').slice(2).join(':');
}

/** The directory the README says a container's cgroup is in. */
function expectedCgroupDir(id: string, controller: 'memory' | 'pids'): string {
  if (!v2) return path.join('/sys/fs/cgroup', controller, ownCgroup(controller), `baby-docker-${id}`);
  // Our own cgroup holds this process: the group goes beside it, unless it is the root.
  const own = ownCgroup();
  return path.join('/sys/fs/cgroup', own === '/' ? '/' : path.dirname(own), 'baby-docker', `baby-docker-${id}`);
}

const read = (dir: string, file: string): string => fs.readFileSync(path.join(dir, file), 'utf8').trim();

describe(`cgroups (${addon().cgroupMode()}, own cgroup ${ownCgroup()})`, () => {
  it('puts the container in a cgroup of its own with the limits asked for, and removes it after', async () => {
    const container = await start({ rootfs: ROOTFS, command: ['sleep', '100'], memory: '48m', pids: 16 });
    const memoryDir = expectedCgroupDir(container.id, 'memory');
    const pidsDir = expectedCgroupDir(container.id, 'pids');
    try {
      assert.deepEqual(container.cgroup, { version: v2 ? 2 : 1, memory: memoryDir, pids: pidsDir });
      assert.equal(read(memoryDir, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(48 * MiB));
      assert.equal(read(pidsDir, 'pids.max'), '16');
      assert.equal(read(pidsDir, 'cgroup.procs'), String(container.hostPid));
      if (v2) assert.equal(read(memoryDir, 'memory.swap.max'), '0', 'swap counts against the limit');
    } finally {
      container.kill();
      await container.wait();
    }
    assert.equal(fs.existsSync(pidsDir), false);
    assert.equal(fs.existsSync(memoryDir), false);
    if (v2) assert.equal(fs.existsSync(path.dirname(pidsDir)), false, 'the group goes with its last container');
  });

  it("removes one container's cgroup and leaves another's; on v2 their group goes with the last", async () => {
    const [a, b] = await Promise.all([0, 1].map(() => start({ rootfs: ROOTFS, command: ['sleep', '100'] })));
    const parent = path.dirname(a!.cgroup.pids);
    assert.equal(path.dirname(b!.cgroup.pids), parent);
    a!.kill();
    await a!.wait();
    assert.ok(fs.existsSync(b!.cgroup.pids) && fs.existsSync(parent) && !fs.existsSync(a!.cgroup.pids));
    b!.kill();
    await b!.wait();
    assert.equal(fs.existsSync(parent), !v2, v2 ? 'the group is removed once empty' : 'the own cgroup stays');
  });

  it('starts and ends containers side by side, each in its own cgroup, without an error', async () => {
    // On v2 they share a group that the last one out removes and the next one in makes again:
    // three streams of short runs keep a start racing an end. None may fail, and none may
    // report an error it recovered from.
    const stream = async (n: number): Promise<[number, string | null][]> => {
      const outcomes: [number, string | null][] = [];
      for (let i = 0; i < 25; i++) {
        const result = await runInContainer(['sh', '-c', `exit ${n}`]);
        outcomes.push([result.code, result.error]);
      }
      return outcomes;
    };
    const streams = await Promise.all([1, 2, 3].map(stream));
    streams.forEach((outcomes, k) => outcomes.forEach((outcome, i) => assert.deepEqual(outcome, [k + 1, null], `stream ${k + 1}, run ${i}`)));
  });

  it('shows the container its own cgroup, read-only, at /sys/fs/cgroup', async () => {
    const limitFile = v2 ? '/sys/fs/cgroup/memory.max' : '/sys/fs/cgroup/memory/memory.limit_in_bytes';
    const pidsMax = v2 ? '/sys/fs/cgroup/pids.max' : '/sys/fs/cgroup/pids/pids.max';
    const result = await runInContainer(
      ['sh', '-c', `cat ${limitFile} ${pidsMax}; cat /proc/self/cgroup; echo 1 > ${pidsMax} || echo refused; mkdir /sys/fs/cgroup/x || echo refused`],
      { memory: '64m', pids: 20 },
    );
    const lines = result.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 2), [String(64 * MiB), '20']);
    // Its cgroup is the root of what it sees (its cgroup namespace).
    if (v2) assert.ok(lines.includes('0::/'), result.stdout);
    else assert.ok(lines.some((l) => /^\d+:memory:\/$/.test(l)) && lines.some((l) => /^\d+:pids:\/$/.test(l)), result.stdout);
    assert.deepEqual(lines.slice(-2), ['refused', 'refused']);
    assert.match(result.stderr, /Read-only file system/);
  });

  it("runs exec in the container's cgroup, and its shim outside it", async () => {
    const container = await start({ rootfs: ROOTFS, command: ['sleep', '100'] });
    try {
      const procs = v2 ? '/sys/fs/cgroup/cgroup.procs' : '/sys/fs/cgroup/pids/cgroup.procs';
      // exec's sh is in the container's PID namespace: its $$ is what the cgroup lists, beside PID 1
      // (a process outside the namespace, as the shim is, would be listed as 0).
      const exec = await container.exec(['sh', '-c', `echo "self $$"; exec cat ${procs}`]);
      assert.equal(exec.code, 0, exec.stderr);
      const [self, ...listed] = exec.stdout.trim().split('\n');
      assert.deepEqual(listed.sort(), ['1', self!.split(' ')[1]!].sort(), exec.stdout);
    } finally {
      container.kill();
      await container.wait();
    }
  });

  it('baby-docker run: a static busybox tree prints PID 1 and exits 0', () => {
    // busybox-static is installed by .ci/run. --network none: the cgroup v2 guest's kernel has no bridge, and the
    // default would say so on stderr as it falls back.
    const result = runCli(['run', '--network', 'none', staticRootfs('busybox', '/usr/bin/busybox', ['sh']), '/bin/sh', '-c', 'echo $$']);
    assert.deepEqual([result.status, result.stdout, result.stderr], [0, '1\n', '']);
  });

  it('baby-docker run: a memory hog over --memory 48m exits 137 and says it was OOM-killed', () => {
    const result = runCli(['run', '--memory', '48m', 'default', 'tail', '/dev/zero']);
    assert.equal(result.status, 137, result.stderr);
    assert.match(
      result.stderr,
      /^baby-docker: the OOM killer killed a process of the container at its memory limit of 48 MiB \(raise it with --memory\)$/m,
    );
  });

  it('baby-docker run: --pids 16 lets a fork loop make 15 children, PID 1 being the 16th', () => {
    // A rootfs of the static probe alone: it forks until the kernel refuses.
    const result = runCli(['run', '--pids', '16', staticRootfs('bd-probe', PROBE_PATH), '/bin/bd-probe', 'fork=40']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'fork=40: 15, then EAGAIN\n');
  });

  it('lists a running container in baby-docker ps; the runtime reclaims the cgroup of its SIGKILLed shim', async () => {
    const container = await start({ rootfs: ROOTFS, command: ['sleep', '100'] });
    const listed = runCli(['ps']);
    assert.match(listed.stdout, new RegExp(`^${container.id} +- +${container.hostPid} `, 'm'));
    // The shim is the container's parent: killed, it can clean nothing up.
    const shimPid = Number(fs.readFileSync(`/proc/${container.hostPid}/stat`, 'utf8').split(' ')[3]);
    process.kill(shimPid, 'SIGKILL');
    const status = await container.wait();
    assert.deepEqual([status.code, status.error], [137, 'the runtime shim was killed by SIGKILL before it reported how the container ended']);
    // The shim could not clean up: its caller did, as it learnt of the shim's end.
    assert.equal(fs.existsSync(container.cgroup.pids), false);
    if (v2) assert.equal(fs.existsSync(path.dirname(container.cgroup.pids)), false);
    const gc = runCli(['gc']);
    assert.equal(gc.status, 0, gc.stderr);
    assert.match(gc.stdout, /cleaned up after 0 dead container/);
  });

  for (const lab of ['memory', 'pids']) {
    it(`passes the ${lab} lab, unattended`, { timeout: 180_000 }, () => {
      const result = spawnSync(process.execPath, [CLI_PATH, 'lab', 'check', lab], { encoding: 'utf8', timeout: 170_000 });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
      assert.match(result.stdout, /: (\d+) of \1 steps passed\n$/);
    });
  }

  it('baby-docker-tui shows the memory limit and usage', { timeout: 90_000 }, async () => {
    const configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-cgroups-tui-'));
    const d = new TuiDriver(['--memory', '64m', 'default', '/bin/sh'], { cols: 120, rows: 40, env: { XDG_CONFIG_HOME: configHome } });
    try {
      await d.waitFor(/\d+(\.\d)? (KiB|MiB) \/ 64\.0 MiB/, 30_000);
      await d.waitFor(/peak \d/);
    } finally {
      assert.equal((await d.kill()).exitCode, 143, 'SIGTERM: the TUI removes its container and ends as SIGTERM asks');
      fs.rmSync(configHome, { recursive: true, force: true });
    }
  });
});
