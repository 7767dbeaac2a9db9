/** One key table (src/ui/keys.ts) for the keymap, the picker, the line editor and input routing: a key means the same
 * wherever it is read, whichever of its sequences the terminal sends. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyName, sequenceOf } from '../../src/ui/keys.js';
import { Command, commandForKey, scrollMoveFor } from '../../src/ui/keymap.js';
import { editLineKey, lineOf } from '../../src/ui/lineEditor.js';

describe('keys', () => {
  it('names every sequence of a key, in normal and application cursor mode, and nothing typed as text', () => {
    assert.deepEqual(['\x1b[A', '\x1bOA'].map(keyName), ['up', 'up']);
    assert.deepEqual(['\x1b[H', '\x1bOH', '\x1b[1~'].map(keyName), ['home', 'home', 'home']);
    assert.deepEqual(['\r', '\n'].map(keyName), ['enter', 'enter']);
    assert.deepEqual(['\x7f', '\b'].map(keyName), ['backspace', 'backspace']);
    assert.deepEqual(['a', 'é', '🙂', 'ab'].map(keyName), [null, null, null, null]);
    assert.equal(sequenceOf('ctrl-]'), '\x1d');
  });

  it('the keymap, the scrolled pane and the line editor read a key the same way whatever sequence it came as', () => {
    for (const enter of ['\r', '\n']) assert.equal(commandForKey(enter), Command.RunSelected);
    for (const up of ['\x1b[A', '\x1bOA']) assert.equal(commandForKey(up), Command.HistoryUp);
    for (const home of ['\x1b[H', '\x1bOH', '\x1b[1~']) assert.equal(scrollMoveFor(home), 'top');
    for (const end of ['\x1b[F', '\x1bOF', '\x1b[4~']) assert.equal(scrollMoveFor(end), 'bottom');
    assert.equal(scrollMoveFor('x'), null);
    for (const home of ['\x1b[H', '\x1bOH', '\x1b[1~', '\x01']) assert.equal(editLineKey(lineOf('abc'), home)?.cursor, 0);
    for (const backspace of ['\x7f', '\b']) assert.equal(editLineKey(lineOf('abc'), backspace)?.text, 'ab');
    assert.equal(editLineKey(lineOf('abc'), '\r'), null, "Enter is the caller's");
  });
});
