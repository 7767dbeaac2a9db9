/** Stopping containers, and cleanup whatever the way a run ends. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { start } from '../src/runtime/container.js';
import { addon } from '../src/runtime/native.js';
import {
  assertNothingLeft,
  CLI_PATH,
  outcome,
  containerCgroups,
  containerProcesses,
  hostMounts,
  ROOTFS,
  runInContainer,
  stateDirs,
} from './helpers.js';

const mountsBefore = hostMounts();
after(() => assertNothingLeft(mountsBefore));

/** Poll `condition` every 10 ms until it holds; fail after `timeoutMs`. */
async function eventually(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const alive = (pid: number): boolean => fs.existsSync(`/proc/${pid}`);

describe('stop', () => {
  it('ends a command that ignores SIGTERM once the grace period is over', async () => {
    const container = await start({ rootfs: ROOTFS, command: ['/bin/sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'] });
    await new Promise((resolve) => container.stdout!.once('data', resolve));
    const began = Date.now();
    const status = await container.stop(500);
    const took = Date.now() - began;
    assert.deepEqual(outcome(status), { code: 137, signal: 'SIGKILL', oomKilled: false, error: null });
    assert.ok(took >= 500 && took < 3000, `stopped after ${took} ms`);
  });

  it('lets a command that handles SIGTERM exit by itself', async () => {
    const container = await start({ rootfs: ROOTFS, command: ['/bin/sh', '-c', 'trap "exit 7" TERM; echo ready; while :; do sleep 0.05; done'] });
    await new Promise((resolve) => container.stdout!.once('data', resolve));
    const status = await container.stop(10_000);
    assert.equal(status.code, 7);
  });

  it("passes signals to the container's first process", async () => {
    const container = await start({ rootfs: ROOTFS, command: ['/bin/sh', '-c', 'trap "exit 10" USR1; echo ready; while :; do sleep 0.05; done'] });
    // PID 1 ignores a signal it has no handler for yet: send it once the trap is set.
    await new Promise((resolve) => container.stdout!.once('data', resolve));
    container.signal('SIGUSR1');
    assert.equal((await container.wait()).code, 10);
  });

  it('kills a --init container on SIGTERM through its init', async () => {
    const container = await start({ rootfs: ROOTFS, command: ['sleep', '100'], init: true });
    const status = await container.stop(5000);
    assert.equal(status.code, 128 + 15);
  });
});

describe('nothing left behind', () => {
  it('after a soak: 500 runs in sequence and 20 in parallel, every exit code right', async (t) => {
    const began = Date.now();
    for (let i = 0; i < 500; i++) {
      const result = await runInContainer(['/bin/sh', '-c', `exit ${i % 7}`]);
      assert.equal(result.code, i % 7, `run ${i}: ${result.error ?? ''}`);
    }
    const sequential = Date.now() - began;
    const parallel = await Promise.all(Array.from({ length: 20 }, (_, i) => runInContainer(['/bin/sh', '-c', `echo run-${i}; exit ${i % 5}`])));
    parallel.forEach((result, i) => {
      assert.equal(result.stdout, `run-${i}\n`);
      assert.equal(result.code, i % 5);
    });
    t.diagnostic(
      `soak: 500 sequential runs in ${sequential} ms (${(sequential / 500).toFixed(1)} ms each), 20 parallel in ${Date.now() - began - sequential} ms`,
    );
    assertNothingLeft(mountsBefore);
  });

  it('closes the stdin pipe of a container that has ended, unread and never ended by the caller (it would keep Node alive)', async () => {
    const c = await start({ rootfs: ROOTFS, command: ['true'] });
    assert.equal((await c.wait()).code, 0);
    assert.equal(c.stdin!.destroyed, true);
  });

  it('kills the container and frees its cgroup when the controlling Node process is SIGKILLed', async () => {
    const { hostPid, node } = await startInChildNode();
    node.kill('SIGKILL');
    await eventually(() => !alive(hostPid), 5000, 'container to die with its Node process');
    await eventually(() => containerCgroups().length === 0 && stateDirs().length === 0, 5000, 'the shim to clean up');
  });

  it('reclaims the cgroup of a run whose shim was SIGKILLed too, at the next start', async () => {
    const { hostPid, node } = await startInChildNode();
    const shimPid = Number(fs.readFileSync(`/proc/${hostPid}/stat`, 'utf8').split(' ')[3]);
    // The Node process is stopped first: running, it would reclaim what its dead shim left;
    // dead, its shim would clean up after it.
    node.kill('SIGSTOP');
    process.kill(shimPid, 'SIGKILL');
    node.kill('SIGKILL');
    await eventually(() => !alive(hostPid), 5000, 'container to die with its shim');
    assert.ok(containerCgroups().length > 0, 'the dead run left its cgroup');
    assert.equal((await runInContainer(['true'])).code, 0);
    assert.deepEqual(containerCgroups(), []);
    assert.deepEqual(stateDirs(), []);
    assert.equal(addon().gc(false), 0);
  });
});

/** A separate Node process that starts `sleep 100` and reports its host PID. */
async function startInChildNode(): Promise<{ hostPid: number; node: ReturnType<typeof spawn> }> {
  const runtime = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'runtime', 'container.js');
  const script = `import { start } from ${JSON.stringify(runtime)};
    const c = await start({ rootfs: ${JSON.stringify(ROOTFS)}, command: ['sleep', '100'] });
    console.log(c.hostPid);`;
  const node = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const hostPid = await new Promise<number>((resolve, reject) => {
    node.stdout!.setEncoding('utf8').once('data', (line: string) => resolve(Number(line)));
    node.once('exit', (code) => reject(new Error(`child node exited with ${code}`)));
  });
  assert.ok(containerProcesses().includes(hostPid));
  return { hostPid, node };
}

describe('baby-docker ps', () => {
  it('lists a running container (id, name, host PID, command, rootfs) and forgets it once it has ended', async () => {
    const container = await start({ rootfs: ROOTFS, command: ['sleep', '30'] });
    try {
      const listed = spawnSync(process.execPath, [CLI_PATH, 'ps'], { encoding: 'utf8' });
      assert.equal(listed.status, 0, listed.stderr);
      const [header, ...rows] = listed.stdout.trim().split('\n');
      assert.match(header, /^CONTAINER ID +NAME +PID +UP +COMMAND +ROOTFS$/);
      const row = rows.find((line) => line.startsWith(container.id));
      assert.ok(row, listed.stdout);
      assert.match(row, new RegExp(`^${container.id} +- +${container.hostPid} +\\d+s +sleep 30 +${ROOTFS}$`));
    } finally {
      container.kill();
      await container.wait();
    }
    const after = spawnSync(process.execPath, [CLI_PATH, 'ps'], { encoding: 'utf8' });
    assert.doesNotMatch(after.stdout, new RegExp(container.id));
  });
});
