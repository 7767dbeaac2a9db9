/** Key routing: passthrough to the container, the prefix key, commands once exited. */
import { STARTED_SH } from './fixtures.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExitStatus } from '../../src/runtime/container.js';
import { handleInput, parseMouse, splitKeys, TypingBursts, TYPING_PAUSE_MS, type InputActions, type MouseReport } from '../../src/ui/input.js';
import { BINDINGS, Command, commandForKey, PREFIX_KEY } from '../../src/ui/keymap.js';
import { initialPicker } from '../../src/ui/picker.js';
import { footerParts } from '../../src/ui/footer.js';
import { initialState, selectedPastRun, uiReducer, type UiState } from '../../src/ui/state.js';
import { createStore } from '../../src/ui/store.js';
import type { RunOptions } from '../../src/ui/types.js';

const OPTIONS: RunOptions = { rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '' };
const EXITED: ExitStatus = { code: 3, signal: null, oomKilled: false, memory: null, error: null };

/** A store with one run, running or exited, and a record of what input made happen. */
function setup(phase: 'running' | 'exited') {
  let state = initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'run');
  state = uiReducer(state, { type: 'run-requested', options: OPTIONS, at: 0 });
  state = uiReducer(state, { type: 'run-started', seq: 1, id: 'abc', hostPid: 42, started: STARTED_SH });
  if (phase === 'exited') state = uiReducer(state, { type: 'run-exited', seq: 1, status: EXITED, at: 1 });
  const store = createStore(state);
  const calls = {
    sent: [] as string[],
    runs: [] as RunOptions[],
    stops: 0,
    quits: 0,
    redraws: 0,
    suspends: 0,
    lab: [] as Command[],
    labsOpened: [] as string[],
    scrolledBack: 0,
    recordings: 0,
    copies: 0,
    panelToggles: 0,
    mouse: [] as MouseReport[],
    execs: 0,
  };
  const actions: InputActions = {
    dispatch: store.dispatch,
    sendToContainer: (keys) => calls.sent.push(keys),
    run: (options) => calls.runs.push(options),
    stop: () => calls.stops++,
    quit: () => calls.quits++,
    redraw: () => calls.redraws++,
    suspend: () => calls.suspends++,
    togglePanels: () => calls.panelToggles++,
    mouse: (event) => calls.mouse.push(event),
    exec: () => calls.execs++,
    lab: (command) => calls.lab.push(command),
    openLab: (id) => calls.labsOpened.push(id),
    // A pane with 100 lines of history, pages of 10.
    scroll: (move) => {
      const by = { 'page-up': 10, 'page-down': -10, 'line-up': 1, 'line-down': -1, top: 100, bottom: -100 }[move];
      return (calls.scrolledBack = Math.max(0, Math.min(100, calls.scrolledBack + by)));
    },
    toggleRecording: () => calls.recordings++,
    // A history whose line 42 back holds "needle": found from anywhere newer.
    copyView: () => calls.copies++,
    find: (text, direction) => (text === 'needle' && direction === 'older' && calls.scrolledBack < 42 ? (calls.scrolledBack = 42) : null),
  };
  const type = (input: string) => handleInput(input, store.getState, actions);
  return { store, calls, type, actions, state: (): UiState => store.getState() };
}

describe('splitKeys', () => {
  it('keeps escape sequences whole', () => {
    assert.deepEqual(splitKeys('a\x1b[A\x1bOBq\r'), ['a', '\x1b[A', '\x1bOB', 'q', '\r']);
    assert.deepEqual(splitKeys('\x1b[1;5C\x1b'), ['\x1b[1;5C', '\x1b']);
    assert.deepEqual(splitKeys('é😀x'), ['é', '😀', 'x']);
  });
});

describe('keymap', () => {
  it('maps every bound key to its command and nothing else', () => {
    for (const binding of BINDINGS) for (const key of binding.keys) assert.equal(commandForKey(key), binding.command);
    assert.equal(commandForKey('v'), null);
  });

  it('binds each key once', () => {
    const keys = BINDINGS.flatMap((b) => b.keys);
    assert.equal(new Set(keys).size, keys.length);
  });
});

describe('input while a container runs', () => {
  it('sends everything to the container, Ctrl-C and Ctrl-Z included', () => {
    const { calls, type } = setup('running');
    type('ls -l\r');
    type('\x03');
    type('\x1a');
    type('q');
    assert.deepEqual(calls.sent, ['ls -l\r', '\x03', '\x1a', 'q']);
    assert.equal(calls.quits, 0);
  });

  it('takes one command after the prefix, then passes through again', () => {
    const { calls, type, state } = setup('running');
    type(`echo${PREFIX_KEY}`);
    assert.equal(state().prefixArmed, true);
    type('?');
    assert.equal(state().overlay, 'help');
    assert.equal(state().prefixArmed, false);
    type('x'); // closes help
    type('y');
    assert.deepEqual(calls.sent, ['echo', 'y']);
  });

  it('handles prefix and command in one chunk', () => {
    const { calls, type } = setup('running');
    type(`a${PREFIX_KEY}kb`);
    assert.equal(calls.stops, 1);
    assert.deepEqual(calls.sent, ['a', 'b']);
  });

  it('sends the prefix itself when it is pressed twice', () => {
    const { calls, type } = setup('running');
    type(PREFIX_KEY + PREFIX_KEY);
    assert.deepEqual(calls.sent, [PREFIX_KEY]);
  });

  it('asks before quitting, and stops only on y', () => {
    const { calls, type, state } = setup('running');
    type(`${PREFIX_KEY}q`);
    assert.equal(state().overlay, 'confirm-quit');
    type('n');
    assert.equal(state().overlay, 'none');
    assert.equal(calls.quits, 0);
    type(`${PREFIX_KEY}q`);
    type('y');
    assert.equal(calls.quits, 1);
  });

  it('stops with k', () => {
    const { calls, type } = setup('running');
    type(`${PREFIX_KEY}k`);
    assert.equal(calls.stops, 1);
  });
});

describe('input once the container has exited', () => {
  it('treats keys as commands', () => {
    const { calls, type, state } = setup('exited');
    type('r');
    assert.deepEqual(calls.runs, [OPTIONS]);
    type('\x0c');
    assert.equal(calls.redraws, 1);
    type('z');
    assert.equal(calls.suspends, 1);
    type('n');
    assert.equal(state().screen, 'picker');
    assert.deepEqual(calls.sent, []);
  });

  it('quits at once with q', () => {
    const { calls, type } = setup('exited');
    type('q');
    assert.equal(calls.quits, 1);
  });

  it('edits the command with e and runs it with Enter', () => {
    const { calls, type, state } = setup('exited');
    type('e');
    assert.equal(state().overlay, 'edit-command');
    assert.deepEqual(state().editLine, { text: '/bin/sh', cursor: 7 });
    type('\x15');
    for (const key of "sh -c 'exit 4'") type(key);
    type('\r');
    assert.deepEqual(calls.runs, [{ ...OPTIONS, command: ['sh', '-c', 'exit 4'] }]);
  });

  it('edits the command line anywhere: arrows, Home/End, Ctrl-A/E, Ctrl-W, Delete', () => {
    const { calls, type, state } = setup('exited');
    type('e');
    type('\x1b[D\x1b[D\x7f'); // /bin/sh -> /binsh, the cursor before "sh"
    type('/');
    assert.deepEqual(state().editLine, { text: '/bin/sh', cursor: 5 });
    type('\x01x\x05 -c true');
    assert.equal(state().editLine.text, 'x/bin/sh -c true');
    type('\x17\x17'); // two words back
    type('\x1b[H\x1b[3~'); // Home, Delete
    assert.deepEqual(state().editLine, { text: '/bin/sh ', cursor: 0 });
    type('\r');
    assert.deepEqual(calls.runs, [{ ...OPTIONS, command: ['/bin/sh'] }]);
  });

  it('moves through the history and re-runs the selected entry', () => {
    const { store, calls, type, state } = setup('exited');
    const second = { ...OPTIONS, command: ['sleep', '1'] };
    store.dispatch({ type: 'run-requested', options: second, at: 2 });
    store.dispatch({ type: 'run-exited', seq: 2, status: EXITED, at: 3 });
    type('h');
    assert.equal(state().selectedHistory, 0);
    type('\x1b[A'); // stays at the oldest
    assert.equal(state().selectedHistory, 0);
    type('\r');
    assert.deepEqual(calls.runs, [OPTIONS]);
    type('\x1b[B');
    type('\r');
    assert.deepEqual(calls.runs, [OPTIONS, second]);
  });

  it('while a container runs, a past run picked with Ctrl-] h gives way to the live screen as soon as keys go to the container', () => {
    const { store, calls, type, state } = setup('exited');
    store.dispatch({ type: 'run-requested', options: OPTIONS, at: 2 });
    store.dispatch({ type: 'run-started', seq: 2, id: 'def', hostPid: 43, started: STARTED_SH });
    type(`${PREFIX_KEY}h`);
    assert.equal(selectedPastRun(state())?.seq, 1);
    type('ls\r');
    assert.equal(selectedPastRun(state()), null);
    assert.deepEqual(calls.sent, ['ls\r']);
  });

  it('lists a command for every binding in the help', () => {
    assert.ok(BINDINGS.some((b) => b.command === Command.Help && b.keys.includes('?')));
  });
});

describe('the exec shell', () => {
  it('Ctrl-] x opens it; Ctrl-] o switches the pane between it and the container, where the keys then go', () => {
    const { store, calls, type, state } = setup('running');
    type(`${PREFIX_KEY}x`);
    assert.equal(calls.execs, 1);
    store.dispatch({ type: 'exec-opened', command: ['/bin/bash'] });
    assert.match(
      footerParts(state())
        .map((p) => p.text)
        .join(''),
      /keys go to the exec shell/,
    );
    type(`${PREFIX_KEY}o`);
    assert.equal(state().exec?.shown, false);
    assert.match(
      footerParts(state())
        .map((p) => p.text)
        .join(''),
      /keys go to the container/,
    );
    type(`${PREFIX_KEY}o`);
    assert.equal(state().exec?.shown, true);
    store.dispatch({ type: 'exec-closed', code: 0 });
    assert.equal(state().exec, null);
    assert.match(
      footerParts(state())
        .map((p) => p.text)
        .join(''),
      /the exec shell ended \(exit 0\)/,
    );
  });
});

describe('mouse reports', () => {
  it('are taken out of the typing, whole, even while keys go to the container', () => {
    const { calls, type } = setup('running');
    type('ab\x1b[<64;40;10Mcd\x1b[<0;5;7m');
    assert.deepEqual(calls.sent, ['ab', 'cd']);
    assert.deepEqual(calls.mouse, [
      { button: 64, col: 40, row: 10, release: false },
      { button: 0, col: 5, row: 7, release: true },
    ]);
  });

  it('are read as reports, not keys, once the container has exited', () => {
    const { calls, type, state } = setup('exited');
    type('\x1b[<65;1;1M');
    assert.equal(calls.mouse.length, 1);
    assert.equal(state().overlay, 'none');
    assert.equal(parseMouse('\x1b[A'), null);
  });
});

describe("scrolling back through the pane's history", () => {
  it('Shift-PgUp scrolls even while keys go to the container; the next typed key returns to the live screen and reaches it', () => {
    const { calls, type, state } = setup('running');
    type('ab\x1b[5;2~');
    assert.deepEqual(calls.sent, ['ab']);
    assert.equal(state().scrolledBack, 10);
    assert.match(
      footerParts(state())
        .map((p) => p.text)
        .join(''),
      /history: 10 lines back/,
    );
    type('\x1b[5;2~k');
    assert.equal(state().scrolledBack, 21, 'a page, then a line');
    type('cd');
    assert.equal(state().scrolledBack, 0);
    assert.deepEqual(calls.sent, ['ab', 'cd']);
  });

  it('once exited, PgUp scrolls; g and G go to the ends; q leaves the history without quitting', () => {
    const { calls, type, state } = setup('exited');
    type('\x1b[5~');
    assert.equal(state().scrolledBack, 10);
    type('g');
    assert.equal(state().scrolledBack, 100);
    type('G');
    assert.equal(state().scrolledBack, 0);
    type(`${PREFIX_KEY}\x1b[5~q`);
    assert.equal(state().scrolledBack, 0);
    assert.equal(calls.quits, 0);
  });
});

describe('searching the history', () => {
  it('/ types a search, Enter finds it, n looks again; nothing found is said, and the next key goes on', () => {
    const { calls, type, state } = setup('exited');
    type('\x1b[5~/');
    assert.equal(state().search?.typing, true);
    type('nee');
    assert.match(
      footerParts(state())
        .map((p) => p.text)
        .join(''),
      /search back for: nee/,
    );
    type('dle\r');
    assert.equal(state().scrolledBack, 42);
    assert.deepEqual([state().search, state().lastSearch], [null, 'needle']);
    type('n');
    assert.equal(state().search?.found, false);
    assert.match(
      footerParts(state())
        .map((p) => p.text)
        .join(''),
      /"needle" not found/,
    );
    type('k');
    assert.deepEqual([state().search, state().scrolledBack], [null, 43]);
    type('/\x1b');
    assert.equal(state().search, null, 'Esc gives up');
    type('y');
    assert.deepEqual([calls.copies, state().scrolledBack], [1, 43], 'y copies the view and stays in the history');
  });
});

describe('recording', () => {
  it('w after the prefix starts or stops a recording; typed to a running container it is just a w', () => {
    const { calls, type } = setup('running');
    type('w');
    assert.deepEqual([calls.recordings, calls.sent], [0, ['w']]);
    type(`${PREFIX_KEY}w`);
    assert.equal(calls.recordings, 1);
  });
});

describe('a new run while a container runs', () => {
  it('asks first: r (after the prefix) starts nothing until y', () => {
    const { calls, type, state } = setup('running');
    type(`${PREFIX_KEY}r`);
    assert.equal(calls.runs.length, 0, 'the running container was not killed unasked');
    assert.equal(state().overlay, 'confirm-run');
    assert.match(
      footerParts(state())
        .map((p) => p.text)
        .join(''),
      /stop it and start the new run\? \(y\/n\)/,
    );
    type('y');
    assert.deepEqual(calls.runs, [OPTIONS]);
  });

  it('anything but y keeps the container and starts nothing; Enter in the edit line and the picker ask too', () => {
    const { calls, type, state } = setup('running');
    type(`${PREFIX_KEY}r`);
    type('n');
    assert.equal(state().overlay, 'none');
    assert.equal(state().pendingRun, null);
    type(`${PREFIX_KEY}e`);
    type('\r');
    assert.equal(state().overlay, 'confirm-run');
    type('x');
    type(`${PREFIX_KEY}n`);
    assert.equal(state().screen, 'picker');
    type('\t\x15true\r');
    assert.equal(state().overlay, 'confirm-run');
    assert.deepEqual(state().pendingRun?.command, ['true']);
    assert.equal(calls.runs.length, 0);
  });

  it('k says it is stopping and when SIGKILL follows', () => {
    const { store, state } = setup('running');
    store.dispatch({ type: 'run-stopping', seq: 1, killAt: 20_000 });
    assert.equal(state().runs[0]!.killAt, 20_000);
  });
});

describe('typing ahead as the container exits', () => {
  /** A running container; keys are typed at the times given, and it exits at `exitAt`. */
  function typing() {
    const running = setup('running');
    const bursts = new TypingBursts();
    return {
      ...running,
      typeAt: (input: string, at: number) => handleInput(input, running.store.getState, running.actions, bursts, at),
      exitAt: (at: number) => running.store.dispatch({ type: 'run-exited', seq: 1, status: EXITED, at }),
    };
  }

  it('ignores keys typed on after "exit⏎" ("ls -la⏎" starts no run, a stray q does not quit) and says so', () => {
    const { calls, typeAt, exitAt, state } = typing();
    typeAt('exit\r', 10_000);
    exitAt(10_020);
    typeAt('ls -la\r', 10_100);
    typeAt('q', 10_100 + TYPING_PAUSE_MS - 1);
    assert.deepEqual(calls.sent, ['exit\r']);
    assert.deepEqual([calls.runs.length, calls.quits], [0, 0]);
    assert.equal(state().ignoredKeys, 'ls -la\rq');
    assert.match(
      footerParts(state())
        .map((p) => p.text)
        .join(''),
      /ignored what was typed as it exited \(ls -la⏎q\)/,
    );
  });

  it('takes keys as commands after a pause in the typing, and clears the note', () => {
    const { calls, typeAt, exitAt, state } = typing();
    typeAt('exit\r', 10_000);
    exitAt(10_020);
    typeAt('x', 10_100);
    typeAt('r', 10_100 + TYPING_PAUSE_MS);
    assert.equal(calls.runs.length, 1);
    assert.equal(state().ignoredKeys, '');
  });

  it('takes keys as commands at once when nothing was typed to the container (it ended by itself)', () => {
    const { calls, typeAt, exitAt } = typing();
    typeAt('\x1dl', 10_000); // a command, not typing for the container
    exitAt(10_020);
    typeAt('r', 10_050);
    assert.equal(calls.runs.length, 1);
  });

  it('takes a command after the prefix at once', () => {
    const { calls, typeAt, exitAt } = typing();
    typeAt('exit\r', 10_000);
    exitAt(10_020);
    typeAt(`${PREFIX_KEY}r`, 10_030);
    assert.equal(calls.runs.length, 1);
  });
});

describe('the picker', () => {
  function onPicker(runs: number) {
    const fresh = setup('exited');
    if (runs === 0) fresh.store.dispatch({ type: 'run-exited', seq: 1, status: EXITED, at: 1 });
    const store = createStore({
      ...initialState(initialPicker({ rootfsChoices: [], commandHistory: [] }), 'picker'),
      runs: runs ? fresh.state().runs : [],
    });
    const quits = { count: 0 };
    const actions: InputActions = { ...fresh.actions, dispatch: store.dispatch, quit: () => quits.count++ };
    return { store, quits, type: (input: string) => handleInput(input, store.getState, actions) };
  }

  it('Esc never quits: halfway through a typed path it leaves the picker as it was', () => {
    const { store, quits, type } = onPicker(0);
    type('/srv/roo');
    type('\x1b');
    assert.equal(quits.count, 0);
    assert.equal(store.getState().screen, 'picker');
    assert.equal(store.getState().picker.typedRootfs, '/srv/roo');
  });

  it('Esc goes back to the run when there is one; Ctrl-C quits', () => {
    const back = onPicker(1);
    back.type('\x1b');
    assert.equal(back.store.getState().screen, 'run');
    const quit = onPicker(0);
    quit.type('\x03');
    assert.equal(quit.quits.count, 1);
  });

  it("offers the commands run in this session: ↑ and, after n, the last run's command", () => {
    const { store, type, state } = setup('running');
    store.dispatch({ type: 'run-exited', seq: 1, status: EXITED, at: 1 });
    store.dispatch({ type: 'run-requested', options: { ...OPTIONS, command: ['sh', '-c', 'echo "hi there"'], memory: '64m' }, at: 2 });
    store.dispatch({ type: 'run-exited', seq: 2, status: EXITED, at: 3 });
    type('n');
    assert.equal(state().screen, 'picker');
    assert.equal(state().picker.command, `sh -c 'echo "hi there"'`);
    assert.equal(state().picker.memory, '64m');
    type('\t\x1b[A');
    assert.equal(state().picker.command, '/bin/sh', '↑: the run before');
  });
});

describe('lab keys', () => {
  const LAB = {
    title: 'PID',
    step: 0,
    steps: 3,
    stepTitle: 'PID 1',
    text: 'x',
    command: 'echo $$',
    views: [],
    passed: false,
    waiting: 'output',
    complete: false,
  };

  it('after the prefix, t ] [ R L go to the lab while one is followed', () => {
    const { store, calls, type } = setup('running');
    store.dispatch({ type: 'lab', lab: LAB });
    type(`${PREFIX_KEY}t${PREFIX_KEY}]${PREFIX_KEY}[${PREFIX_KEY}R${PREFIX_KEY}L`);
    assert.deepEqual(calls.lab, [Command.LabType, Command.LabNext, Command.LabPrevious, Command.LabRestart, Command.LabLeave]);
    assert.deepEqual(calls.sent, [], 'none of them reached the container');
  });

  it('does nothing with them without a lab', () => {
    const { calls, type } = setup('exited');
    type('t]R');
    assert.deepEqual(calls.lab, []);
  });

  it("starts the lab chosen on the picker's Labs field", () => {
    const { store, calls, type } = setup('exited');
    store.dispatch({
      type: 'picker',
      picker: initialPicker({ rootfsChoices: [], commandHistory: [], labChoices: [{ id: '01-pid', title: 'PID' }] }),
    });
    store.dispatch({ type: 'screen', screen: 'picker' });
    type('\x1b[Z'); // Shift-Tab: from the first field round to the last, Labs
    type('\x1b[B\r'); // the first lab, Enter
    assert.deepEqual(calls.labsOpened, ['01-pid']);
    assert.deepEqual(calls.runs, []);
  });
});
