/** The whole app against a fake runtime: what a person sees as a run goes by. */
import { BRIDGE_NETWORK, FAKE_NETWORK, FAKE_SPEC } from './fixtures.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import type { ExitStatus, PtyContainer } from '../../src/runtime/container.js';
import { App } from '../../src/ui/App.js';
import { footerParts } from '../../src/ui/footer.js';
import { paneTitle } from '../../src/ui/paneView.js';
import { initialPicker } from '../../src/ui/picker.js';
import { RunController } from '../../src/ui/services/runController.js';
import { TerminalSession } from '../../src/ui/services/terminalSession.js';
import { initialState } from '../../src/ui/state.js';
import { createStore } from '../../src/ui/store.js';

/** A container that prints what it is told to and exits when told to. */
function fakeContainer(id: string) {
  let emit: (data: Buffer) => void = () => {};
  let exit!: (status: ExitStatus) => void;
  const exited = new Promise<ExitStatus>((resolve) => (exit = resolve));
  let running = true;
  void exited.then(() => (running = false));
  const container = {
    id,
    hostPid: 4242,
    spec: FAKE_SPEC,
    network: FAKE_NETWORK,
    get running() {
      return running;
    },
    onData(listener: (data: Buffer) => void) {
      emit = listener;
      return () => {};
    },
    write() {},
    resize() {},
    pause() {},
    resume() {},
    kill: () => exit({ code: 137, signal: 'SIGKILL', oomKilled: false, memory: null, error: null }),
    stop: async () => exit({ code: 143, signal: null, oomKilled: false, memory: null, error: null }),
    wait: () => exited,
    stats: () => ({
      memory: { current: 64 * 1024 * 1024, peak: 70 * 1024 * 1024, limit: 100 * 1024 * 1024, oomKills: 0 },
      pids: { current: 3, limit: 1024 },
      hostname: 'lab1',
    }),
  };
  return { container: container as unknown as PtyContainer, emit: (d: string) => emit(Buffer.from(d)), exit };
}

/** A terminal of 100×32 that never resizes. */
const TERMINAL = { columns: 100, rows: 32, on: () => {}, off: () => {} };
const footerText = (store: ReturnType<typeof createStore>) =>
  footerParts(store.getState())
    .map((p) => p.text)
    .join('');

const tick = () => new Promise((resolve) => setTimeout(resolve, 80));

describe('App', () => {
  it('shows the terminal and live panels of a run, then its exit and history', async () => {
    const store = createStore(initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'run'));
    const session = new TerminalSession(64, 26);
    const fakes = [fakeContainer('aaaaaaaaaaaa'), fakeContainer('bbbbbbbbbbbb')];
    let started = 0;
    const controller = new RunController(
      session,
      store.dispatch,
      async () => fakes[started++].container,
      () => BRIDGE_NETWORK,
    );
    const { lastFrame, unmount } = render(<App store={store} terminal={TERMINAL} hostHostname="build-07" />);
    try {
      const first = controller.run({ rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '' });
      await tick();
      fakes[0].emit('# echo hi\r\nhi\r\n# ');
      await session.flush();
      await tick();
      let frame = lastFrame()!;
      // The pane's inside is drawn by the pane painter, from the session's screen.
      assert.equal(
        session
          .snapshot()
          .lines[0].runs.map((r) => r.text)
          .join(''),
        '# echo hi',
      );
      assert.match(frame, /aaaaaaaaaaaa/);
      assert.match(frame, /running/);
      assert.match(frame, /host PID 4242/);
      assert.match(frame, /inside: lab1/);
      assert.match(frame, /host: +build-07/);
      assert.match(frame, /64\.0 MiB \/ 100\.0 MiB/);
      assert.match(frame, /processes: 3 \/ 1024/);
      assert.match(footerText(store), /keys go to the container/);

      fakes[0].exit({ code: 3, signal: null, oomKilled: false, memory: null, error: null });
      await first;
      await tick();
      // Its last screen is kept for the history.
      assert.equal(
        controller
          .lastScreen(1)
          ?.lines[1].runs.map((r) => r.text)
          .join(''),
        'hi',
      );
      frame = lastFrame()!;
      assert.match(frame, /exit code 3/);
      assert.match(frame, /exited/);
      assert.match(footerText(store), /r re-run/);

      const second = controller.run({ rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '' });
      await tick();
      fakes[1].exit({ code: 137, signal: 'SIGKILL', oomKilled: true, memory: null, error: null });
      await second;
      await tick();
      frame = lastFrame()!;
      assert.equal(paneTitle(store.getState()), '#2 bbbbbbbbbbbb /bin/sh · default');
      assert.match(frame, /exit code 137 \(SIGKILL\)/);
      assert.match(frame, /OOM-killed/);
      assert.deepEqual(
        store.getState().runs.map((run) => run.status?.code),
        [3, 137],
      );
    } finally {
      unmount();
      session.dispose();
    }
  });

  it('puts the panels on a status bar above the pane below 100 columns, and back in a column after Ctrl-] p', async () => {
    const store = createStore(initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'run'));
    const session = new TerminalSession(78, 19);
    const fake = fakeContainer('cccccccccccc');
    const controller = new RunController(
      session,
      store.dispatch,
      async () => fake.container,
      () => BRIDGE_NETWORK,
    );
    const narrow = { columns: 80, rows: 24, on: () => {}, off: () => {} };
    const { lastFrame, unmount } = render(<App store={store} terminal={narrow} hostHostname="h" />);
    try {
      void controller.run({ rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '' });
      await tick();
      const bar = lastFrame()!.split('\n');
      assert.equal(bar.length, 1, `one line only, the pane takes the rest:\n${lastFrame()}`);
      assert.match(bar[0], /^ #1 running · up 0s · mem 64\.0 MiB \/ 100\.0 MiB · procs 3\/1024 · PID 1 \(host 42…$/);
      store.dispatch({ type: 'panels', shown: true });
      await tick();
      assert.match(lastFrame()!, /╭─+╮\n│ Container/, 'the panel column again');
    } finally {
      fake.exit({ code: 0, signal: null, oomKilled: false, memory: null, error: null });
      unmount();
      session.dispose();
    }
  });

  it('shows why a run could not start', async () => {
    const store = createStore(initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'run'));
    const session = new TerminalSession(64, 26);
    const failing = async () => {
      throw Object.assign(new Error('rootfs /nope does not exist: give a root filesystem directory'), { exitCode: 125 });
    };
    const controller = new RunController(session, store.dispatch, failing, () => BRIDGE_NETWORK);
    const { lastFrame, unmount } = render(<App store={store} terminal={TERMINAL} hostHostname="h" />);
    try {
      await controller.run({ rootfs: '/nope', command: ['/bin/sh'], memory: '100m', hostname: '' });
      await tick();
      assert.match(lastFrame()!, /exit code 125/);
      await session.flush();
      const pane = session
        .snapshot()
        .lines.map((line) => line.runs.map((r) => r.text).join(''))
        .join('\n');
      assert.match(pane, /baby-docker: rootfs \/nope does not exist/);
    } finally {
      unmount();
      session.dispose();
    }
  });

  it('starts on the picker when no rootfs was named', () => {
    const store = createStore(initialState(initialPicker({ rootfsChoices: ['/srv/alpine'], commandHistory: [] }), 'picker'));
    const { lastFrame, unmount } = render(<App store={store} terminal={TERMINAL} hostHostname="h" />);
    assert.match(lastFrame()!, /New container/);
    assert.match(lastFrame()!, /\/srv\/alpine/);
    assert.match(lastFrame()!, /Enter start/);
    unmount();
  });

  it('says when the terminal is too small, and how small it may be', () => {
    const store = createStore(initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'run'));
    const small = { columns: 50, rows: 12, on: () => {}, off: () => {} };
    const { lastFrame, unmount } = render(<App store={store} terminal={small} hostHostname="h" />);
    assert.match(lastFrame()!.replace(/\s+/g, ' '), /The terminal is too small \(50×12\): make it at least 70×16/);
    unmount();
  });
});
