/** cgroup limits, against the real kernel's memory and pids controllers. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { start } from '../src/runtime/container.js';
import { assertNothingLeft, hostMounts, outcome, ROOTFS, runInContainer } from './helpers.js';

const mountsBefore = hostMounts();
after(() => assertNothingLeft(mountsBefore));

describe('memory limit', () => {
  it('OOM-kills a memory hog at the default 100 MB: exit 137, reported as OOM', async () => {
    // tail keeps a line that never ends in memory: it grows until the limit.
    const result = await runInContainer(['tail', '/dev/zero']);
    assert.deepEqual({ code: result.code, signal: result.signal, oomKilled: result.oomKilled }, { code: 137, signal: 'SIGKILL', oomKilled: true });
    // Read from the cgroup once the run had ended: the limit, the OOM kill and a peak at the limit.
    assert.equal(result.memory?.limit, 100 * 1024 * 1024);
    assert.ok(result.memory.oomKills >= 1, `OOM kills ${result.memory.oomKills}`);
    assert.ok(result.memory.peak! > 90 * 1024 * 1024, `peak ${result.memory.peak}`);
  });

  it('does not call a plain SIGKILL an OOM kill', async () => {
    const container = await start({ rootfs: ROOTFS, command: ['sleep', '100'] });
    container.signal('SIGKILL');
    const status = await container.wait();
    assert.deepEqual(outcome(status), { code: 137, signal: 'SIGKILL', oomKilled: false, error: null });
  });

  it('reports the limit, usage and peak live; --memory 0 means no limit', async () => {
    const limited = await start({ rootfs: ROOTFS, command: ['sleep', '100'], memory: '256m' });
    const unlimited = await start({ rootfs: ROOTFS, command: ['sleep', '100'], memory: 0 });
    try {
      const stats = limited.stats();
      assert.equal(stats.memory?.limit, 256 * 1024 * 1024);
      assert.ok(stats.memory!.current > 0 && stats.memory!.current < 64 * 1024 * 1024, `current ${stats.memory!.current}`);
      assert.ok(stats.memory!.peak! >= stats.memory!.current);
      assert.equal(unlimited.stats().memory?.limit, null);
    } finally {
      limited.kill();
      unlimited.kill();
      await Promise.all([limited.wait(), unlimited.wait()]);
    }
  });

  it('reports the peak and limit of a run too short for any poll', async () => {
    // dd reads 32 MiB into one buffer, so that much is in use at once.
    const result = await runInContainer(['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=32M', 'count=1'], { memory: '256m' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.memory?.limit, 256 * 1024 * 1024);
    assert.equal(result.memory.oomKills, 0);
    assert.ok(result.memory.peak! >= 32 * 1024 * 1024 && result.memory.peak! < 128 * 1024 * 1024, `peak ${result.memory.peak}`);
  });

  it('lets a program under the limit finish', async () => {
    const result = await runInContainer(['/bin/sh', '-c', 'head -c 50000000 /dev/zero | tail -c 10 | wc -c'], { memory: '256m' });
    assert.equal(result.stdout.trim(), '10');
    assert.equal(result.oomKilled, false);
  });
});

describe('pids limit', () => {
  it('stops a fork bomb at the limit', async () => {
    const limit = 40;
    const container = await start({
      rootfs: ROOTFS,
      command: ['/bin/sh', '-c', 'bomb() { bomb | bomb & wait; }; bomb'],
      pids: limit,
    });
    container.stdout?.resume();
    let stderr = '';
    container.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const counts: number[] = [];
    const deadline = Date.now() + 10_000;
    while (container.running && !/Cannot fork/.test(stderr) && Date.now() < deadline) {
      try {
        counts.push(container.stats().pids.current);
      } catch {
        break; // the bomb collapsed and the container ended between the check and the read
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    container.kill();
    await container.wait();
    assert.match(stderr, /Cannot fork/, 'forks past the limit are refused');
    assert.ok(counts.length > 0 && Math.max(...counts) <= limit, `never more than ${limit}: ${counts.join(' ')}`);
  });

  it('reports the pids limit', async () => {
    const container = await start({ rootfs: ROOTFS, command: ['sleep', '100'], pids: 77 });
    try {
      assert.deepEqual(container.stats().pids, { current: 1, limit: 77 });
    } finally {
      container.kill();
      await container.wait();
    }
  });
});
