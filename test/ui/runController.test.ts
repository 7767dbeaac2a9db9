/** The run controller's stats polling, with fake timers and a fake container (the real ones are in the e2e tests). */
import { BRIDGE_NETWORK, FAKE_NETWORK, FAKE_SPEC } from './fixtures.js';
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { PtyContainer } from '../../src/runtime/container.js';
import { RunController, startPtyWith } from '../../src/ui/services/runController.js';
import { TerminalSession } from '../../src/ui/services/terminalSession.js';
import type { UiAction } from '../../src/ui/state.js';

const OPTIONS = { rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '' };

/** A container whose run ends when `end` is called (or, with `killEnds`, when it is killed), with that exit and those stats. */
function fakeContainer(exit: { code: number; signal: string | null }, stats: () => unknown, killEnds = false) {
  let end: () => void = () => {};
  const exited = new Promise<void>((resolve) => (end = resolve));
  const container = {
    id: 'abc',
    hostPid: 42,
    running: true,
    spec: FAKE_SPEC,
    network: FAKE_NETWORK,
    onData: () => () => {},
    write() {},
    resize() {},
    pause() {},
    resume() {},
    kill: () => killEnds && end(),
    wait: async () => {
      await exited;
      return { ...exit, oomKilled: false, memory: null, error: null };
    },
    stats,
  } as unknown as PtyContainer;
  return { container, end: () => end() };
}

describe('stats polling', () => {
  it('shows a poll that changes something at once, and never one that changes nothing', async () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 });
    const session = new TerminalSession(20, 5);
    try {
      let memory = 1000;
      let network = BRIDGE_NETWORK;
      const { container, end } = fakeContainer({ code: 0, signal: null }, () => ({
        memory: { current: memory, peak: memory, limit: null, oomKills: 0 },
        pids: { current: 1, limit: 1024 },
        hostname: 'h',
      }));
      const stats: UiAction[] = [];
      const controller = new RunController(
        session,
        (action) => action.type === 'stats' && stats.push(action),
        async () => container,
        () => network,
      );
      const run = controller.run(OPTIONS);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(stats.length, 1, 'the first poll, at once');
      mock.timers.tick(5000);
      assert.equal(stats.length, 1, 'nothing changed for five seconds: not shown (the uptime moves by itself)');
      memory = 2000;
      mock.timers.tick(1000);
      assert.equal(stats.length, 2, 'memory moved: shown at once');
      network = { ...BRIDGE_NETWORK, interfaces: [{ name: 'eth0', rxBytes: 5000, txBytes: 796 }] };
      mock.timers.tick(1000);
      assert.equal(stats.length, 3, 'bytes received: shown at once');
      const last = stats.at(-1);
      assert.deepEqual(last?.type === 'stats' ? last.stats.network : null, network);
      end();
      await run;
    } finally {
      mock.timers.reset();
      session.dispose();
    }
  });
});

describe('a direct run started before the UI loaded', () => {
  it('is the first run: its container is handed over, and its spawn reported once it has happened', async () => {
    let spawn: () => void = () => {};
    const spawned = new Promise<void>((resolve) => (spawn = resolve));
    const container = Promise.resolve({ id: 'early' } as unknown as PtyContainer);
    const startPty = startPtyWith({ container, spawned });
    let reported = 0;
    const first = startPty({ rootfs: 'default', command: ['/bin/sh'] }, { cols: 80, rows: 24, onSpawn: () => reported++ });
    assert.equal(first, container);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reported, 0, 'not before its process exists');
    spawn();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reported, 1);
  });
});

describe('kill', () => {
  it('resolves once the container has ended, even when the UI can no longer show it (shutdown must finish)', async () => {
    const session = new TerminalSession(20, 5);
    // A broken emulator: what is written never finishes parsing.
    session.flush = () => new Promise<void>(() => {});
    const { container } = fakeContainer({ code: 137, signal: 'SIGKILL' }, () => ({ memory: null, pids: null, hostname: 'h' }), true);
    const controller = new RunController(
      session,
      () => {},
      async () => container,
      () => BRIDGE_NETWORK,
    );
    try {
      void controller.run(OPTIONS);
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(controller.running);
      const late = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 2_000));
      assert.equal(await Promise.race([controller.kill().then(() => 'ended'), late]), 'ended');
    } finally {
      session.dispose();
    }
  });
});

describe('the default bridge falling back', () => {
  it('says why once a session, however many runs fall back', async () => {
    const session = new TerminalSession(20, 5);
    const notices: UiAction[] = [];
    const fellBack = { ...FAKE_NETWORK, mode: 'none', address: null, gateway: null, fallback: 'create bridge bd0: EOPNOTSUPP' };
    const container = () =>
      ({
        id: 'abc',
        hostPid: 42,
        running: false,
        spec: FAKE_SPEC,
        network: fellBack,
        onData: () => () => {},
        write() {},
        resize() {},
        pause() {},
        resume() {},
        kill() {},
        wait: async () => ({ code: 0, signal: null, oomKilled: false, memory: null, error: null }),
        stats: () => ({ memory: null, pids: null, hostname: 'h' }),
      }) as unknown as PtyContainer;
    const controller = new RunController(
      session,
      (action) => action.type === 'notice' && notices.push(action),
      async () => container(),
    );
    try {
      await controller.run(OPTIONS);
      await controller.run(OPTIONS);
      assert.deepEqual(notices, [
        {
          type: 'notice',
          text: 'no bridge network on this host, so the container has only lo (--network none asks for that and silences this): create bridge bd0: EOPNOTSUPP',
        },
      ]);
    } finally {
      session.dispose();
    }
  });
});
