import { stripVTControlCharacters } from 'node:util';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { render } from 'ink-testing-library';
import { MAX_VISIBLE_CHOICES, PICKER_HINT, Picker } from '../../src/ui/components/Picker.js';
import { initialPicker, pickerKey, type PickerState } from '../../src/ui/picker.js';

function press(state: PickerState, ...keys: string[]): PickerState {
  for (const key of keys) state = pickerKey(state, key).state;
  return state;
}
const type = (state: PickerState, text: string): PickerState => press(state, ...Array.from(text));

/** Render once and return the frame's text. */
function frame(state: PickerState, width = 80, height = 40): string {
  const { lastFrame, unmount } = render(<Picker state={state} width={width} height={height} />);
  const text = lastFrame() ?? '';
  unmount();
  return text;
}
const lines = (text: string): string[] => text.split('\n');

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picker-view-'));
  // A rootfs holding the picker's default command.
  fs.mkdirSync(path.join(tmp, 'bin'));
  fs.writeFileSync(path.join(tmp, 'bin', 'sh'), '', { mode: 0o755 });
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const DOWN = '\x1b[B';
const TAB = '\t';
const CTRL_U = '\x15';

describe('Picker', () => {
  test('shows the title, the choices with the selection marked, the fields and the hint', () => {
    const state = initialPicker({ rootfsChoices: ['/srv/labs/alpine'], commandHistory: [] });
    const text = frame(state);
    assert.match(text, /New container/);
    assert.match(text, /› default/);
    assert.match(text, / {2}\/srv\/labs\/alpine/);
    assert.match(text, /type a path…/);
    assert.match(text, /Command/);
    assert.match(text, /\/bin\/bash/, "the default rootfs's shell");
    assert.match(text, /Memory limit/);
    assert.match(text, /100m/);
    assert.match(text, /Hostname/);
    assert.match(text, /\(the container id\)/);
    assert.match(text, /Network/);
    assert.match(text, /none, bridge or host \(empty: the default\)/);
    assert.ok(text.includes(PICKER_HINT), text);
    assert.equal(PICKER_HINT, 'Tab next field · ↑/↓ choose / history · Enter start · Esc back · Ctrl-C quit');
    // A bordered panel of the given width.
    assert.ok(lines(text)[0].startsWith('╭'), text);
    assert.equal(Array.from(lines(text)[0]).length, 80);
  });

  test('the focused field is marked and the command shows a cursor block when focused', () => {
    const onRootfs = frame(initialPicker({ rootfsChoices: [], commandHistory: [] }));
    assert.match(onRootfs, /▸ Root filesystem/);
    assert.doesNotMatch(onRootfs, /\/bin\/bash█/);
    const onCommand = frame(press(initialPicker({ rootfsChoices: [], commandHistory: [] }), TAB));
    assert.match(onCommand, /▸ Command/);
    assert.match(onCommand, /\/bin\/bash█/);
  });

  test('the selection moves with the state', () => {
    const state = press(initialPicker({ rootfsChoices: ['/srv/a', '/srv/b'], commandHistory: [] }), DOWN, DOWN);
    const text = frame(state);
    assert.match(text, /› \/srv\/b/);
    assert.match(text, / {2}default/);
    assert.doesNotMatch(text, /› default/);
  });

  test('a typed path shows what is typed and a ✓ when it is a good directory', () => {
    const good = type(initialPicker({ rootfsChoices: [], commandHistory: [] }), tmp);
    const text = frame(good, 90);
    assert.ok(text.includes(`› ${tmp}█ ✓`), text);
  });

  test('a directory without the command gets no ✓, and the command says why', () => {
    const empty = path.join(tmp, 'bin');
    const text = frame(type(initialPicker({ rootfsChoices: [], commandHistory: [] }), empty), 120).replace(/│/g, ' ');
    assert.doesNotMatch(text, /✓/);
    assert.ok(text.includes(`${empty} has no /bin/sh`), text);
  });

  test('a bad typed path shows its error under the list instead of the ✓', () => {
    const missing = path.join(tmp, 'nope');
    const state = type(initialPicker({ rootfsChoices: [], commandHistory: [] }), missing);
    const text = frame(state, 100).replace(/│/g, ' ');
    assert.doesNotMatch(text, /✓/);
    assert.ok(text.includes(`rootfs ${missing} does not exist`), text);
  });

  test('memory, hostname and command errors are shown under their fields', () => {
    let state = initialPicker({ rootfsChoices: [], commandHistory: [], memory: '10q', hostname: 'bad_name' });
    state = press(state, TAB, CTRL_U);
    state = pickerKey(state, '\r').state;
    const text = frame(state, 100);
    const at = (needle: string): number => lines(text).findIndex((line) => line.includes(needle));
    assert.ok(at('type a command to run, e.g. /bin/sh') > at('Command'));
    assert.ok(at('invalid memory size "10q"') > at('Memory limit'));
    assert.ok(at('invalid memory size "10q"') < at('Hostname'));
    assert.ok(at('invalid hostname "bad_name"') > at('Hostname'));
    assert.ok(at(PICKER_HINT) > at('invalid hostname "bad_name"'));
  });

  test('a long choice list shows a window around the selection', () => {
    const choices = Array.from({ length: 20 }, (_, i) => `/srv/r${i + 1}`);
    let state = initialPicker({ rootfsChoices: choices, commandHistory: [] });
    let text = frame(state);
    assert.match(text, /› default/);
    assert.match(text, /↓ \d+ more/);
    assert.doesNotMatch(text, /\/srv\/r20/);
    state = press(state, ...Array(15).fill(DOWN));
    text = frame(state);
    assert.match(text, /› \/srv\/r15/);
    assert.match(text, /↑ \d+ more/);
    // Entry rows only: the error under the list names /srv/r15 too.
    const shown = lines(text).filter((line) => /^│ +(› )?(\/srv\/r\d+|default|type a path…) *│$/.test(line));
    assert.equal(shown.length, MAX_VISIBLE_CHOICES);
  });

  test('walking the history shows which entry is shown', () => {
    const state = press(initialPicker({ rootfsChoices: [], commandHistory: ['top', 'ls'] }), TAB, '\x1b[A', '\x1b[A');
    const text = frame(state);
    assert.match(text, /Command \(history 2\/2\)/);
    assert.match(text, /ls█/);
  });
});

describe('Picker in a small terminal', () => {
  const labels = ['Root filesystem', 'Command', 'Memory limit', 'Hostname', 'Network', 'Lab'];
  /** Rows the picker may take in a terminal `rows` tall (layout.ts: the footer and Ink's spare row). */
  const room = (rows: number) => rows - 2;

  for (const [cols, rows, saved] of [
    [70, 16, 0],
    [80, 24, 5],
    [70, 16, 5],
    [100, 30, 12],
  ] as const) {
    test(`at ${cols}×${rows} with ${saved} saved root filesystems: within its rows, every field once, nothing overprinted`, () => {
      const choices = Array.from({ length: saved }, (_, i) => `/srv/rootfs-${i + 1}`);
      const text = stripVTControlCharacters(frame(initialPicker({ rootfsChoices: choices, commandHistory: [] }), cols, room(rows)));
      const shown = lines(text);
      assert.ok(shown.length <= room(rows), `${shown.length} rows for ${room(rows)}:\n${text}`);
      for (const label of labels) assert.equal(text.split(label).length - 1, 1, `${label} shown once:\n${text}`);
      assert.match(text, /› default/);
      assert.ok(
        shown.every((line) => line.length <= cols),
        text,
      );
      assert.match(shown.at(-1) ?? '', /^╰─+╯$/, `the bottom border ends it:\n${text}`);
    });
  }

  test('a long list scrolls with the selection in the rows it has', () => {
    const choices = Array.from({ length: 9 }, (_, i) => `/srv/rootfs-${i + 1}`);
    const state = press(initialPicker({ rootfsChoices: choices, commandHistory: [] }), ...Array(6).fill(DOWN));
    const text = stripVTControlCharacters(frame(state, 70, room(16)));
    assert.match(text, /› \/srv\/rootfs-6/);
    assert.match(text, /↑ \d+ more/);
    assert.match(text, /↓ \d+ more/);
  });
});
