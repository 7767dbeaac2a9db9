import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EMPTY_COMMAND_ERROR, initialPicker, pickerAfterRun, pickerKey, selectedRootfs, type PickerState } from '../../src/ui/picker.js';
import { defaultCommand } from '../../src/runtime/insideRootfs.js';

/** The default rootfs's shell: bash, made from this host's programs (see test/insideRootfs.test.ts for the choice itself). */
const DEFAULT_SHELL = defaultCommand('default')[0];

const TAB = '\t';
const SHIFT_TAB = '\x1b[Z';
const UP = '\x1b[A';
const DOWN = '\x1b[B';
const ENTER = '\r';
const BACKSPACE = '\x7f';
const CTRL_U = '\x15';
const ESC = '\x1b';

/** Feed keys one at a time, as the terminal delivers them. */
function press(state: PickerState, ...keys: string[]): PickerState {
  for (const key of keys) state = pickerKey(state, key).state;
  return state;
}
/** Type text character by character. */
function type(state: PickerState, text: string): PickerState {
  return press(state, ...Array.from(text));
}

let tmp: string;
let rootfsDir: string;
let emptyDir: string;
let plainFile: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picker-test-'));
  rootfsDir = path.join(tmp, 'alpine');
  // /bin/sh a link to an absolute path, resolved inside the rootfs as the container would.
  fs.mkdirSync(path.join(rootfsDir, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(rootfsDir, 'bin', 'busybox'), '', { mode: 0o755 });
  fs.symlinkSync('/bin/busybox', path.join(rootfsDir, 'bin', 'sh'));
  emptyDir = path.join(tmp, 'empty');
  fs.mkdirSync(emptyDir);
  plainFile = path.join(tmp, 'notes.txt');
  fs.writeFileSync(plainFile, 'not a rootfs\n');
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const fresh = (over: Partial<Parameters<typeof initialPicker>[0]> = {}): PickerState =>
  initialPicker({ rootfsChoices: ['/srv/a', '/srv/b'], commandHistory: ['ls -l', 'top', 'echo hi'], ...over });

describe('initialPicker', () => {
  test('puts default first, removes repeats, starts on the rootfs field with defaults', () => {
    const state = initialPicker({ rootfsChoices: ['/srv/a', 'default', '/srv/b', '/srv/a'], commandHistory: [] });
    assert.deepEqual(state.rootfsChoices, ['default', '/srv/a', '/srv/b']);
    assert.equal(state.rootfsIndex, 0);
    assert.equal(state.focus, 'rootfs');
    assert.equal(state.command, DEFAULT_SHELL, 'bash where the default rootfs has it');
    assert.equal(state.memory, '100m');
    assert.equal(state.hostname, '');
    assert.equal(state.historyIndex, null);
    assert.deepEqual(state.errors, {});
  });

  test('a preselected rootfs not in the list becomes the typed path, checked at once', () => {
    const listed = fresh({ rootfs: '/srv/b' });
    assert.equal(listed.rootfsIndex, 2);
    const typed = fresh({ rootfs: path.join(tmp, 'missing') });
    assert.equal(typed.rootfsIndex, typed.rootfsChoices.length);
    assert.equal(typed.typedRootfs, path.join(tmp, 'missing'));
    assert.match(typed.errors.rootfs ?? '', /does not exist/);
  });

  test('bad memory and hostname handed in are reported at once', () => {
    const state = fresh({ memory: '10q', hostname: 'bad_name' });
    assert.match(state.errors.memory ?? '', /invalid memory size "10q"/);
    assert.match(state.errors.hostname ?? '', /invalid hostname "bad_name"/);
  });
});

describe('focus movement', () => {
  test('Tab and Shift-Tab cycle through the fields and wrap', () => {
    let state = fresh();
    const seen = [state.focus];
    for (let i = 0; i < 7; i++) {
      state = press(state, TAB);
      seen.push(state.focus);
    }
    assert.deepEqual(seen, ['rootfs', 'command', 'memory', 'hostname', 'network', 'volumes', 'lab', 'rootfs']);
    assert.equal(press(state, SHIFT_TAB).focus, 'lab');
    assert.equal(press(state, SHIFT_TAB, SHIFT_TAB).focus, 'volumes');
  });

  test('Up/Down in the rootfs field move the selection, clamped, ending on the typed-path entry', () => {
    let state = fresh();
    state = press(state, DOWN);
    assert.equal(selectedRootfs(state), '/srv/a');
    state = press(state, DOWN, DOWN);
    assert.equal(state.rootfsIndex, 3, 'the typed-path entry');
    state = press(state, DOWN);
    assert.equal(state.rootfsIndex, 3, 'stays on the last entry');
    assert.equal(state.focus, 'rootfs');
    state = press(state, UP, UP, UP, UP, UP);
    assert.equal(state.rootfsIndex, 0);
    assert.equal(selectedRootfs(state), 'default');
  });

  test('Up/Down in memory, hostname, network and volumes move between fields, down to the Labs field', () => {
    let state = press(fresh(), TAB, TAB);
    assert.equal(state.focus, 'memory');
    state = press(state, DOWN);
    assert.equal(state.focus, 'hostname');
    state = press(state, DOWN);
    assert.equal(state.focus, 'network');
    state = press(state, DOWN, DOWN);
    assert.equal(state.focus, 'lab');
    state = press(press(state, SHIFT_TAB), UP, UP, UP, UP);
    assert.equal(state.focus, 'command');
  });

  test('the Labs field chooses a lab with Up/Down; Enter there starts it, elsewhere runs the command', () => {
    const labChoices = [
      { id: '01-pid', title: 'PID' },
      { id: '02-filesystem', title: 'Filesystem' },
    ];
    let state = initialPicker({ rootfsChoices: [], commandHistory: [], labChoices });
    state = press(state, SHIFT_TAB);
    assert.equal(state.focus, 'lab');
    assert.equal(pickerKey(state, ENTER).lab, undefined, 'no lab chosen: Enter runs the command');
    state = press(state, DOWN, DOWN, DOWN);
    assert.equal(state.labIndex, 2, 'clamped at the last lab');
    assert.equal(pickerKey(state, ENTER).lab, '02-filesystem');
    assert.equal(pickerKey(press(state, TAB), ENTER).lab, undefined, 'on another field Enter runs the command');
    assert.ok(pickerKey(press(state, TAB), ENTER).submit);
  });

  test('Esc cancels and unknown sequences change nothing', () => {
    const state = fresh();
    assert.equal(pickerKey(state, ESC).cancel, true);
    for (const key of ['\x1b[D', '\x1b[C', '\x01', '\x1b[15~']) {
      const result = pickerKey(state, key);
      assert.equal(result.state, state, `key ${JSON.stringify(key)}`);
      assert.equal(result.cancel, undefined);
      assert.equal(result.submit, undefined);
    }
  });
});

describe('typing', () => {
  test('printable characters append to the focused field; Backspace and Ctrl-U delete', () => {
    let state = press(fresh(), TAB, CTRL_U);
    assert.equal(state.command, '');
    state = type(state, 'echo hé');
    assert.equal(state.command, 'echo hé');
    state = press(state, BACKSPACE, BACKSPACE);
    assert.equal(state.command, 'echo ');
    state = press(state, TAB, BACKSPACE, BACKSPACE, BACKSPACE);
    assert.equal(state.memory, '1');
    state = type(state, 'g');
    assert.equal(state.memory, '1g');
    state = press(state, TAB);
    state = type(state, 'lab1');
    assert.equal(state.hostname, 'lab1');
    assert.equal(state.command, 'echo ', 'other fields untouched');
  });

  test('a paste arriving as one string is inserted whole', () => {
    const state = pickerKey(press(fresh(), TAB, CTRL_U), 'sh -c "ls"').state;
    assert.equal(state.command, 'sh -c "ls"');
  });

  test('typing in the rootfs field on a listed choice starts the typed path', () => {
    let state = press(fresh(), DOWN);
    state = type(state, rootfsDir);
    assert.equal(state.rootfsIndex, state.rootfsChoices.length);
    assert.equal(state.typedRootfs, rootfsDir);
    assert.equal(state.errors.rootfs, undefined);
    // Backspace on a listed choice does not touch the typed path.
    state = press(state, UP, BACKSPACE);
    assert.equal(state.typedRootfs, rootfsDir);
    assert.equal(selectedRootfs(state), '/srv/b');
    // Ctrl-U on the typed entry clears it.
    state = press(state, DOWN, CTRL_U);
    assert.equal(state.typedRootfs, '');
  });
});

describe('command history', () => {
  test('Up walks to older commands, Down back to newer ones and then to the line being typed', () => {
    let state = press(fresh(), TAB, CTRL_U);
    state = type(state, 'my dra');
    state = press(state, UP);
    assert.equal(state.command, 'ls -l');
    assert.equal(state.historyIndex, 0);
    state = press(state, UP, UP);
    assert.equal(state.command, 'echo hi');
    state = press(state, UP);
    assert.equal(state.command, 'echo hi', 'stops at the oldest');
    assert.equal(state.historyIndex, 2);
    state = press(state, DOWN);
    assert.equal(state.command, 'top');
    state = press(state, DOWN, DOWN);
    assert.equal(state.command, 'my dra', 'the draft comes back');
    assert.equal(state.historyIndex, null);
    state = press(state, DOWN);
    assert.equal(state.command, 'my dra');
  });

  test('editing a history entry makes it the line being typed', () => {
    let state = press(fresh(), TAB, UP, UP);
    state = type(state, ' -d 1');
    assert.equal(state.command, 'top -d 1');
    assert.equal(state.historyIndex, null);
    state = press(state, UP, DOWN);
    assert.equal(state.command, 'top -d 1');
  });

  test('Up with no history does nothing', () => {
    const state = press(initialPicker({ rootfsChoices: [], commandHistory: [] }), TAB);
    assert.equal(press(state, UP), state);
  });
});

describe('validation', () => {
  test('a typed path is checked as it is typed: missing, a file, the host root, then good', () => {
    const onTyped = press(fresh(), DOWN, DOWN, DOWN);
    assert.equal(onTyped.errors.rootfs, undefined, 'nothing typed yet, nothing to complain about');

    const missing = type(onTyped, path.join(tmp, 'nope'));
    assert.match(missing.errors.rootfs!, /^rootfs .*nope does not exist: give a root filesystem directory/);

    const file = type(onTyped, plainFile);
    assert.match(file.errors.rootfs!, /notes\.txt is not a directory/);

    const root = type(onTyped, '/');
    assert.equal(root.errors.rootfs, "rootfs / is the host's own root: give a separate root filesystem directory");

    const fixed = type(press(missing, CTRL_U), rootfsDir);
    assert.equal(fixed.errors.rootfs, undefined);
  });

  test('a listed rootfs that no longer exists is reported when selected; default needs no check', () => {
    let state = initialPicker({ rootfsChoices: [path.join(tmp, 'gone')], commandHistory: [] });
    state = press(state, DOWN);
    assert.match(state.errors.rootfs!, /gone does not exist/);
    state = press(state, UP);
    assert.equal(state.errors.rootfs, undefined);
  });

  test('memory and hostname are checked as they are typed', () => {
    let state = press(fresh(), TAB, TAB, CTRL_U);
    state = type(state, '10q');
    assert.equal(state.errors.memory, 'invalid memory size "10q": use a number of bytes or a size like 256m or 1g');
    state = press(state, BACKSPACE);
    state = type(state, 'm');
    assert.equal(state.errors.memory, undefined);

    state = press(state, TAB);
    state = type(state, 'bad_host');
    assert.match(state.errors.hostname!, /^invalid hostname "bad_host": use 1-63 letters/);
    state = press(state, CTRL_U);
    assert.equal(state.errors.hostname, undefined, 'empty hostname means the container id');
  });

  test('Enter with an empty command reports it and focuses the command field', () => {
    let state = press(fresh(), TAB, CTRL_U, TAB, TAB);
    assert.equal(state.errors.command, undefined, 'not reported before Enter');
    const result = pickerKey(state, ENTER);
    assert.equal(result.submit, undefined);
    assert.equal(result.state.errors.command, EMPTY_COMMAND_ERROR);
    assert.equal(result.state.focus, 'command');
    state = type(result.state, 'sh');
    assert.equal(state.errors.command, undefined, 'the error goes once fixed');
    state = press(state, CTRL_U);
    assert.equal(state.errors.command, undefined, 'once fixed, only the next Enter reports it again');
    assert.equal(pickerKey(state, ENTER).state.errors.command, EMPTY_COMMAND_ERROR);
  });

  test('Enter focuses the first bad field and reports every error', () => {
    let state = press(fresh(), DOWN, DOWN, DOWN); // the empty typed path
    state = press(state, TAB, CTRL_U, TAB, CTRL_U);
    state = type(state, '1k');
    const result = pickerKey(state, ENTER);
    assert.equal(result.submit, undefined);
    assert.equal(result.state.focus, 'rootfs');
    assert.match(result.state.errors.rootfs!, /^no rootfs given/);
    assert.equal(result.state.errors.command, EMPTY_COMMAND_ERROR);
    assert.match(result.state.errors.memory!, /too small/);
    assert.equal(result.state.errors.hostname, undefined);
  });

  test('an unclosed quote is reported on Enter', () => {
    let state = press(fresh(), TAB, CTRL_U);
    state = type(state, 'sh -c "echo hi');
    assert.equal(state.errors.command, undefined, 'not while typing');
    const result = pickerKey(state, ENTER);
    assert.equal(result.submit, undefined);
    assert.equal(result.state.errors.command, 'unclosed " quote: add the closing "');
  });
});

describe('the default command', () => {
  test("is the selected rootfs's shell, bash or sh, until a command is typed", () => {
    assert.equal(DEFAULT_SHELL, '/bin/bash', 'this host has bash, so its default rootfs does');
    let state = initialPicker({ rootfsChoices: [rootfsDir], commandHistory: [] });
    state = press(state, DOWN);
    assert.equal(selectedRootfs(state), rootfsDir);
    assert.equal(state.command, '/bin/sh', 'a busybox tree has no bash');
    assert.deepEqual(state.errors, {});
    state = press(state, UP);
    assert.equal(state.command, '/bin/bash');
    state = type(press(state, TAB, CTRL_U), 'ls');
    state = press(state, SHIFT_TAB, DOWN);
    assert.equal(state.command, 'ls', 'what was typed stays');
  });
});

describe('submit', () => {
  test('Enter on the defaults submits the default rootfs and its shell', () => {
    const result = pickerKey(fresh(), ENTER);
    assert.deepEqual(result.submit, { rootfs: 'default', command: [DEFAULT_SHELL], memory: '100m', hostname: '' });
    assert.deepEqual(result.state.errors, {});
  });

  test('Enter submits the typed path, the split command, memory and hostname', () => {
    let state = press(fresh(), DOWN, DOWN, DOWN);
    state = type(state, rootfsDir);
    state = press(state, TAB, CTRL_U);
    state = type(state, `sh -c 'echo "hi there"'`);
    state = press(state, TAB, CTRL_U);
    state = type(state, '256m');
    state = press(state, TAB);
    state = type(state, 'lab1');
    const result = pickerKey(state, ENTER);
    assert.deepEqual(result.submit, {
      rootfs: rootfsDir,
      command: ['sh', '-c', 'echo "hi there"'],
      memory: '256m',
      hostname: 'lab1',
    });
  });

  test('the Volumes field takes -v and --tmpfs as on the command line, checks each as it is typed, and submits them', () => {
    let state = press(fresh(), TAB, TAB, TAB, TAB, TAB);
    assert.equal(state.focus, 'volumes');
    state = type(state, '-v data:/data');
    assert.match(state.errors.volumes!, /^-v data:\/data: the host path must be absolute/);
    state = press(state, CTRL_U);
    state = type(state, `-v ${rootfsDir}:/data:ro --tmpfs '/scratch:size=1m'`);
    assert.equal(state.errors.volumes, undefined);
    const result = pickerKey(state, ENTER);
    assert.deepEqual(result.submit?.volumes, [`${rootfsDir}:/data:ro`]);
    assert.deepEqual(result.submit?.tmpfs, ['/scratch:size=1m']);
    const bare = pickerKey(press(type(press(fresh(), TAB, TAB, TAB, TAB, TAB), '--tmpfs'), ENTER), ENTER);
    assert.match(bare.state.errors.volumes!, /^volumes: give -v HOST:PATH\[:ro\] or --tmpfs PATH\[:OPTIONS\], each with its value/);
    assert.equal(pickerKey(fresh(), ENTER).submit?.volumes, undefined, 'no volumes: none in the run');
  });

  test('the Network field takes none, bridge or host, checks it as it is typed, and submits it; empty, the run says nothing of it', () => {
    let state = press(fresh(), TAB, TAB, TAB, TAB);
    assert.equal(state.focus, 'network');
    state = type(state, 'wifi');
    assert.match(state.errors.network!, /^invalid network "wifi": use bridge/);
    const refused = pickerKey(state, ENTER);
    assert.equal(refused.submit, undefined);
    assert.equal(refused.state.focus, 'network');
    state = type(press(state, CTRL_U), 'bridge');
    assert.equal(state.errors.network, undefined);
    assert.equal(pickerKey(state, ENTER).submit?.network, 'bridge');
    assert.equal('network' in pickerKey(fresh(), ENTER).submit!, false);
  });

  test("after a run, the picker offers its network again; the command line's --network is there from the start", () => {
    const after = pickerAfterRun(fresh(), { rootfs: 'default', command: ['/bin/sh'], memory: '100m', hostname: '', network: 'host' });
    assert.equal(after.network, 'host');
    assert.equal(initialPicker({ rootfsChoices: [], commandHistory: [], network: 'none' }).network, 'none');
    assert.match(initialPicker({ rootfsChoices: [], commandHistory: [], network: 'wifi' }).errors.network!, /invalid network/);
  });

  test('a relative typed path is submitted as an absolute one', () => {
    let state = press(fresh(), DOWN, DOWN, DOWN);
    state = type(state, path.relative(process.cwd(), rootfsDir));
    assert.equal(pickerKey(state, ENTER).submit?.rootfs, rootfsDir);
  });

  test('a listed choice is submitted as listed', () => {
    const state = press(initialPicker({ rootfsChoices: [rootfsDir], commandHistory: [] }), DOWN);
    assert.equal(pickerKey(state, ENTER).submit?.rootfs, rootfsDir);
  });
});

describe('the command, looked up in the rootfs as it is typed', () => {
  test('a directory without the command is no rootfs for it: an error on the command, and no ✓', () => {
    const state = type(press(fresh(), UP, UP, UP, DOWN, DOWN, DOWN), emptyDir);
    assert.equal(state.errors.rootfs, undefined);
    assert.equal(state.errors.command, `${emptyDir} has no /bin/sh: give a command it holds, or another root filesystem`);
    assert.equal(pickerKey(state, ENTER).submit, undefined);
  });

  test('found through a link inside the rootfs, and by name on the PATH', () => {
    const state = type(press(fresh(), DOWN, DOWN, DOWN), rootfsDir);
    assert.deepEqual(state.errors, {});
    const byName = type(press(state, TAB, CTRL_U), 'busybox echo hi');
    assert.deepEqual(byName.errors, {});
    const missing = type(press(byName, CTRL_U), 'bash');
    assert.match(missing.errors.command ?? '', /has no bash/);
  });
});

describe('editing a field anywhere', () => {
  test('Left moves the cursor, typing inserts there; moving to another field puts it at the end again', () => {
    let state = press(fresh(), TAB, CTRL_U);
    state = type(state, 'ls /tmp');
    state = press(state, '\x1b[D', '\x1b[D', '\x1b[D', '\x1b[D');
    state = type(state, '-l ');
    assert.equal(state.command, 'ls -l /tmp');
    assert.equal(state.cursor, 6);
    assert.equal(press(state, TAB).cursor, null);
  });
});
